/** The Linux serial checks, each with the machine faked both ways. */
import { describe, expect, it, vi } from 'vitest';
import { healthyProbes } from '../../testing/doctor-probes';
import type { CheckDefinition } from './check';
import type { SerialProbes } from './probes';
import { serialChecks } from './serial';

const check = async (id: string, overrides: Partial<SerialProbes> = {}): Promise<Awaited<ReturnType<CheckDefinition['run']>>> => {
  const found = serialChecks(healthyProbes(overrides)).find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found.run();
};

describe('serial.access', () => {
  it('passes for a user in dialout, and for root', async () => {
    expect(await check('serial.access')).toMatchObject({ status: 'pass', found: 'tech is in the dialout group' });
    const root = await check('serial.access', { identity: async () => ({ uid: 0, user: 'root', sessionGroups: ['root'], dialoutMembers: [] }) });
    expect(root.status).toBe('pass');
  });

  it('fails for a user outside dialout, with the usermod line', async () => {
    const r = await check('serial.access', { identity: async () => ({ uid: 1000, user: 'tech', sessionGroups: ['tech'], dialoutMembers: ['someone'] }) });
    expect(r).toMatchObject({ status: 'fail', fix: 'sudo usermod -aG dialout tech, then log out and in' });
  });

  it('tells a user added to dialout but not yet in it to log in again', async () => {
    const r = await check('serial.access', { identity: async () => ({ uid: 1000, user: 'tech', sessionGroups: ['tech'], dialoutMembers: ['tech'] }) });
    expect(r.status).toBe('fail');
    expect(r.found).toContain('not in this session');
    expect(r.fix).toContain('log out and in');
  });

  it('says "not checked on this OS" elsewhere', async () => {
    const r = await check('serial.access', { platform: async () => 'win32' });
    expect(r).toMatchObject({ status: 'skip' });
    expect(r.found).toContain('not checked on this OS');
  });
});

describe('serial.udev-rule', () => {
  it('passes when installed, current and applied to the plugged gateways', async () => {
    expect((await check('serial.udev-rule')).status).toBe('pass');
  });

  it('warns when missing, out of date, or installed but not loaded', async () => {
    const missing = await check('serial.udev-rule', { udevRule: async () => ({ installed: null, current: null }) });
    expect(missing.status).toBe('warn');
    expect(missing.fix).toContain('sudo cp resources/udev/99-fieldline.rules /etc/udev/rules.d/');
    const old = await check('serial.udev-rule', { udevRule: async () => ({ installed: '/etc/udev/rules.d/99-fieldline.rules', current: false }) });
    expect(old.found).toContain('differs');
    const notLoaded = await check('serial.udev-rule', { gatewayPorts: async () => [{ path: '/dev/ttyACM0', vid: '1915', mmIgnore: false }] });
    expect(notLoaded).toMatchObject({ status: 'warn' });
    expect(notLoaded.found).toContain('/dev/ttyACM0');
    expect(notLoaded.fix).toContain('udevadm trigger');
  });
});

describe('serial.modemmanager', () => {
  it('passes when ModemManager is not running, or is told to ignore the gateways', async () => {
    expect((await check('serial.modemmanager', { processes: async () => ['systemd'] })).found).toBe('ModemManager is not running');
    expect((await check('serial.modemmanager')).status).toBe('pass');
  });

  it('fails when it runs and a plugged gateway lacks ID_MM_DEVICE_IGNORE, naming the port', async () => {
    const r = await check('serial.modemmanager', {
      udevRule: async () => ({ installed: null, current: null }),
      gatewayPorts: async () => [{ path: '/dev/ttyUSB0', vid: '1a86', mmIgnore: false }],
    });
    expect(r.status).toBe('fail');
    expect(r.found).toContain('/dev/ttyUSB0');
    expect(r.found).toContain('ID_MM_DEVICE_IGNORE');
  });

  it('warns when it runs with nothing telling it to ignore the next gateway', async () => {
    const r = await check('serial.modemmanager', { udevRule: async () => ({ installed: null, current: null }), gatewayPorts: async () => [] });
    expect(r.status).toBe('warn');
  });
});

describe('serial.brltty and serial.port-holders', () => {
  it('passes without brltty and warns with it', async () => {
    expect((await check('serial.brltty')).status).toBe('pass');
    const r = await check('serial.brltty', { executables: async () => ({ brltty: '/usr/bin/brltty' }) });
    expect(r.status).toBe('warn');
    expect(r.fix).toContain('apt remove brltty');
  });

  it('names the process holding a port', async () => {
    expect((await check('serial.port-holders')).status).toBe('pass');
    const r = await check('serial.port-holders', { portHolders: async () => [{ port: '/dev/ttyACM0', pid: 4242, process: 'minicom' }] });
    expect(r.status).toBe('warn');
    expect(r.found).toContain('/dev/ttyACM0 by minicom (pid 4242)');
    expect(r.fix).toContain('kill 4242');
  });
});

describe('serial checks together', () => {
  it('read the udev rule and scan the gateway ports once for all the checks that use them', async () => {
    const healthy = healthyProbes();
    const udevRule = vi.fn(healthy.udevRule);
    const gatewayPorts = vi.fn(healthy.gatewayPorts);
    const results = await Promise.all(serialChecks(healthyProbes({ udevRule, gatewayPorts })).map((c) => c.run()));
    expect(results.map((r) => r.status)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass']);
    expect(udevRule).toHaveBeenCalledTimes(1);
    expect(gatewayPorts).toHaveBeenCalledTimes(1);
  });
});
