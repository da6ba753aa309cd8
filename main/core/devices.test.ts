import { mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EventName } from '../contract/api';
import { createLogger } from '../log';
import type { PortInfo } from '../transport/serial';
import { createDeviceDiscovery } from './devices';
import { checkPortPath, isSerialDevice } from './port-path';
import { createAppEvents } from './events';
import { FieldlineError } from '../errors';
import { publishPortLink } from '../transport/ports-dir';

function setup(initial: PortInfo[], present: Set<string> = new Set()) {
  let ports = initial;
  const events = createAppEvents();
  const seen: Array<[EventName, unknown]> = [];
  events.onAny((name, payload) => seen.push([name, payload]));
  const discovery = createDeviceDiscovery({
    events,
    logger: createLogger('test'),
    pollMs: 0,
    listPorts: async () => ports,
    isPortPath: async (path) => present.has(path),
    extraPorts: ['/tmp/sim/gw0'],
  });
  return { discovery, seen, setPorts: (p: PortInfo[]) => (ports = p), present };
}

describe('device discovery', () => {
  it('attaches listed USB ports and present typed ports, and detaches them when they go', async () => {
    const { discovery, seen, setPorts, present } = setup([{ path: '/dev/ttyACM0', vid: '1915', pid: '520F', serialNumber: 'ABC\u0007123' }], new Set(['/tmp/sim/gw0']));
    await discovery.start();
    expect(discovery.list()).toEqual([
      { id: 'serial:/dev/ttyACM0', transport: 'serial', path: '/dev/ttyACM0', manual: false, serial: 'ABC123', vid: '1915', pid: '520f', state: 'idle' },
      { id: 'serial:/tmp/sim/gw0', transport: 'serial', path: '/tmp/sim/gw0', manual: true, state: 'idle' },
    ]);
    setPorts([]);
    present.delete('/tmp/sim/gw0');
    await discovery.scan();
    expect(discovery.list()).toEqual([]);
    expect(seen.map(([name]) => name)).toEqual(['device:attached', 'device:attached', 'device:detached', 'device:detached']);
    expect(() => discovery.get('serial:/dev/ttyACM0')).toThrow(expect.objectContaining({ code: 'DEVICE_NOT_FOUND' }));
  });

  it('keeps a device that vanishes during a run as gone, until the run releases it', async () => {
    const { discovery, seen, setPorts } = setup([{ path: '/dev/ttyACM0', vid: '1915', pid: '520F' }]);
    await discovery.start();
    const release = discovery.claim('serial:/dev/ttyACM0', 'provisioning');
    expect(() => discovery.claim('serial:/dev/ttyACM0', 'drift')).toThrow(expect.objectContaining({ code: 'DEVICE_BUSY' }));
    setPorts([]);
    await discovery.scan();
    expect(discovery.list()[0]?.state).toBe('gone');
    expect(() => discovery.get('serial:/dev/ttyACM0')).toThrow(expect.objectContaining({ code: 'DEVICE_NOT_FOUND' }));
    release();
    expect(discovery.list()).toEqual([]);
    expect(seen.map(([name]) => name)).toEqual(['device:attached', 'device:state', 'device:detached']);
  });

  it('lists the virtual gateways announced in its ports directory while their link is there, once each', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldline-discovery-'));
    try {
      const ports = join(dir, 'ports');
      const present = new Set([join(dir, 'tty-A'), join(dir, 'tty-B'), '/tmp/sim/gw0']);
      const events = createAppEvents();
      const discovery = createDeviceDiscovery({
        events,
        logger: createLogger('test'),
        pollMs: 0,
        listPorts: async () => [],
        isPortPath: async (path) => present.has(path),
        extraPorts: ['/tmp/sim/gw0'],
        portsDir: ports,
      });
      // No directory yet: nothing from it, and no error.
      await discovery.start();
      expect(discovery.list().map((d) => d.id)).toEqual(['serial:/tmp/sim/gw0']);

      await publishPortLink(ports, 'F1E1D00000000201', join(dir, 'tty-A'));
      await publishPortLink(ports, 'F1E1D00000000202', join(dir, 'tty-B'));
      // A link whose port is gone, a half-made link and a plain file are not gateways.
      await publishPortLink(ports, 'F1E1D00000000203', join(dir, 'tty-C'));
      symlinkSync(join(dir, 'tty-A'), join(ports, '.F1E1D00000000204.77.pending'));
      writeFileSync(join(ports, 'README'), 'not a link');
      // A gateway typed by hand and also announced is listed once, as typed.
      symlinkSync('/tmp/sim/gw0', join(ports, 'F1E1D00000000200'));
      await discovery.scan();
      expect(discovery.list().map((d) => [d.id, d.serial, d.manual])).toEqual([
        ['serial:/tmp/sim/gw0', undefined, true],
        [`serial:${join(dir, 'tty-A')}`, 'F1E1D00000000201', false],
        [`serial:${join(dir, 'tty-B')}`, 'F1E1D00000000202', false],
      ]);

      // Unplugged: its link goes, and so does the device.
      unlinkSync(join(ports, 'F1E1D00000000201'));
      await discovery.scan();
      expect(discovery.list().map((d) => d.serial)).toEqual([undefined, 'F1E1D00000000202']);
      discovery.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves out serial ports without a USB vendor id (built-in UARTs are typed by hand)', async () => {
    const { discovery } = setup([{ path: '/dev/ttyS0' }, { path: '/dev/ttyACM0', vid: '1915', pid: '520F' }]);
    await discovery.start();
    expect(discovery.list().map((d) => d.path)).toEqual(['/dev/ttyACM0']);
  });

  it('carries on with typed ports when udev is missing', async () => {
    const events = createAppEvents();
    const warnings: string[] = [];
    const discovery = createDeviceDiscovery({
      events,
      logger: createLogger('test', (r) => void warnings.push(r.message)),
      pollMs: 0,
      listPorts: async () => {
        throw new FieldlineError('UDEV_MISSING', 'no udevadm');
      },
      isPortPath: async () => true,
      extraPorts: ['/tmp/sim/gw0'],
    });
    await discovery.start();
    await discovery.scan();
    expect(discovery.list().map((d) => d.path)).toEqual(['/tmp/sim/gw0']);
    expect(warnings.filter((w) => w.includes('udevadm'))).toHaveLength(1);
  });

  it('adds a typed port only when it is an absolute path to a character device', async () => {
    const { discovery } = setup([], new Set(['/dev/pts/7']));
    await discovery.start();
    await expect(discovery.addPort('/dev/pts/7')).resolves.toMatchObject({ id: 'serial:/dev/pts/7', manual: true, state: 'idle' });
    await expect(discovery.addPort('/etc/passwd')).rejects.toMatchObject({ code: 'PORT_NOT_FOUND' });
    await expect(discovery.addPort('dev/ttyUSB0')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(discovery.addPort('/dev/../etc/shadow')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('takes only terminal devices as ports: not files, folders or other devices (opening /dev/watchdog reboots)', async () => {
    await expect(checkPortPath('/dev/null')).rejects.toMatchObject({ code: 'PORT_NOT_FOUND' });
    await expect(checkPortPath('/etc/hostname')).rejects.toMatchObject({ code: 'PORT_NOT_FOUND' });
    await expect(checkPortPath('/tmp')).rejects.toMatchObject({ code: 'PORT_NOT_FOUND' });
    await expect(isSerialDevice('/dev/zero', 'linux')).resolves.toBe(false);
    await expect(isSerialDevice('COM3', 'win32')).resolves.toBe(true);
    await expect(isSerialDevice('C:\\Windows\\win.ini', 'win32')).resolves.toBe(false);
    if (process.platform === 'linux') await expect(isSerialDevice('/dev/tty')).resolves.toBe(true);
  });
});
