import { lstat, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFieldlineError } from '../../errors';
import { openDevicePort } from './device-port';
import { createPtyPair } from './pty';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fieldline-pty-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const exists = (p: string): Promise<boolean> => lstat(p).then(() => true, () => false);

function openApp(path: string): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  return new Promise((resolve, reject) => port.open((err) => (err ? reject(err) : resolve(port))));
}

describe('createPtyPair', () => {
  it('links two ptys that carry bytes both ways, and removes the links on stop', async () => {
    const pty = await createPtyPair({ appPath: join(dir, 'app'), devPath: join(dir, 'dev') });
    const dev = await openDevicePort(pty.devPath);
    expect(await exists(pty.appPath)).toBe(false); // not before publish()
    await pty.publish();
    const app = await openApp(pty.appPath);
    const fromApp = new Promise<string>((resolve) => dev.onData((b) => resolve(Buffer.from(b).toString())));
    app.write('ping\n');
    expect(await fromApp).toBe('ping\n');
    const fromDev = new Promise<string>((resolve) => app.once('data', (b: Buffer) => resolve(b.toString())));
    dev.write(Buffer.from('pong\n'));
    expect(await fromDev).toBe('pong\n');

    await new Promise<void>((r) => app.close(() => r()));
    await dev.close();
    await pty.stop();
    await pty.exited;
    expect(await exists(pty.appPath)).toBe(false);
    expect(await exists(pty.devPath)).toBe(false);
    await pty.stop(); // idempotent
  });

  it('says SOCAT_MISSING when socat cannot be run', async () => {
    const err = await createPtyPair({ appPath: join(dir, 'a2'), devPath: join(dir, 'd2'), socat: 'socat-that-is-not-installed' }).catch((e: unknown) => e);
    expect(isFieldlineError(err, 'SOCAT_MISSING')).toBe(true);
  });

  it('refuses paths socat would misread', async () => {
    const err = await createPtyPair({ appPath: join(dir, 'a,b'), devPath: join(dir, 'd3') }).catch((e: unknown) => e);
    expect(isFieldlineError(err, 'SIMULATOR_FAILED')).toBe(true);
  });
});
