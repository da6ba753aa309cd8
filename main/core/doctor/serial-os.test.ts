/** The Windows and macOS serial checks: written and tested here with their probes faked, "not checked" on Linux. */
import { describe, expect, it } from 'vitest';
import { healthyProbes } from '../../testing/doctor-probes';
import type { SerialProbes } from './probes';
import { serialOsChecks } from './serial-os';

const check = async (id: string, overrides: Partial<SerialProbes>) => {
  const found = serialOsChecks(healthyProbes(overrides)).find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found.run();
};

describe('serial.windows-drivers', () => {
  it('is not checked on Linux', async () => {
    const r = await check('serial.windows-drivers', {});
    expect(r.status).toBe('skip');
    expect(r.found).toBe('not checked on this OS (linux); this check runs on Windows');
  });

  it('passes with the three vendors’ drivers (as pnputil names them)', async () => {
    const r = await check('serial.windows-drivers', { platform: async () => 'win32', windowsDrivers: async () => ['CH341SER.INF', 'wch.cn', 'silabser.inf', 'Silicon Laboratories Inc.', 'ftdibus.inf', 'FTDI'] });
    expect(r.status).toBe('pass');
  });

  it('warns naming the bridge whose driver is missing', async () => {
    const r = await check('serial.windows-drivers', { platform: async () => 'win32', windowsDrivers: async () => ['ftdibus.inf', 'ftdi'] });
    expect(r.status).toBe('warn');
    expect(r.found).toContain('CH340/CH341 (WCH)');
    expect(r.found).toContain('CP210x (Silicon Labs)');
    expect(r.found).not.toContain('FTDI');
  });
});

describe('serial.macos-naming', () => {
  it('is not checked on Linux', async () => {
    expect((await check('serial.macos-naming', {})).found).toContain('not checked on this OS');
  });

  it('names the cu.* ports to use', async () => {
    const r = await check('serial.macos-naming', { platform: async () => 'darwin', macSerialDevices: async () => ['tty.usbmodem1101', 'cu.usbmodem1101', 'cu.Bluetooth-Incoming-Port'] });
    expect(r).toMatchObject({ status: 'pass' });
    expect(r.found).toContain('/dev/cu.usbmodem1101');
    expect(r.found).not.toContain('Bluetooth-Incoming-Port');
  });

  it('warns when a CH34x appears twice (two drivers)', async () => {
    const r = await check('serial.macos-naming', { platform: async () => 'darwin', macSerialDevices: async () => ['cu.wchusbserial1410', 'cu.usbserial-1410'] });
    expect(r.status).toBe('warn');
    expect(r.fix).toContain('usbserial.kext');
  });

  it('has nothing to check without a USB serial device', async () => {
    expect((await check('serial.macos-naming', { platform: async () => 'darwin', macSerialDevices: async () => ['cu.Bluetooth-Incoming-Port'] })).status).toBe('skip');
  });
});
