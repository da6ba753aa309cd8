import { lstat, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../log';
import { NO_DELAYS } from '../device/config';
import { encodeFrame, FrameDecoder, simMessageSchema, type SimMessage } from '../../transport/ble/virtual/protocol';
import { startBleSimulator, type RunningBleSimulator } from './simulator';

let dir: string;
const sims: RunningBleSimulator[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fl-ble-server-'));
});

afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.stop()));
  await rm(dir, { recursive: true, force: true });
});

async function start(socketPath: string): Promise<RunningBleSimulator> {
  const sim = await startBleSimulator({ count: 2, socketPath, logger: silentLogger, delays: NO_DELAYS, seed: 3 });
  sims.push(sim);
  return sim;
}

/** A raw client: collects the simulator's messages and notices when it is closed. */
async function rawClient(path: string): Promise<{ socket: Socket; messages: SimMessage[]; closed: Promise<void> }> {
  const socket = createConnection(path);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const messages: SimMessage[] = [];
  const decoder = new FrameDecoder<SimMessage>(simMessageSchema, (m) => messages.push(m), () => {});
  socket.on('data', (b: Buffer) => decoder.push(b));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, messages, closed };
}

/** Waits for `check`; the bound only guards against a hang (a tight one fails a CI on a loaded machine). */
async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('BLE simulator socket server', () => {
  it('makes the socket private, and removes it on stop', async () => {
    const path = join(dir, 'a.sock');
    const sim = await start(path);
    expect(((await lstat(path)).mode & 0o777).toString(8)).toBe('600');
    await sim.stop();
    await expect(lstat(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a socket another simulator listens on, and leaves that one working', async () => {
    const path = join(dir, 'b.sock');
    await start(path);
    await expect(start(path)).rejects.toMatchObject({ code: 'BLE_SIM_SOCKET_IN_USE' });
    const c = await rawClient(path);
    c.socket.write(encodeFrame({ type: 'hello', version: 1, client: 'test' }));
    await until(() => c.messages.length > 0);
    expect(c.messages[0]).toEqual({ type: 'hello', version: 1, gateways: 2 });
    c.socket.destroy();
  });

  it('replaces a stale socket file, and never deletes a path that is not a socket', async () => {
    const stale = join(dir, 'stale.sock');
    // A process killed with SIGKILL leaves its socket file behind, with nobody listening on it.
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}, () => console.log('up'))`]);
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.kill('SIGKILL');
    await new Promise<void>((resolve) => child.once('exit', () => resolve()));
    expect((await lstat(stale)).isSocket()).toBe(true);
    await start(stale);

    const file = join(dir, 'notes.txt');
    await writeFile(file, 'keep me');
    await expect(start(file)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((await lstat(file)).isFile()).toBe(true);
  });

  it('answers garbage with an error message and closes that client only', async () => {
    const path = join(dir, 'c.sock');
    await start(path);
    const bad = await rawClient(path);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(5);
    bad.socket.write(Buffer.concat([head, Buffer.from('{{{{{')]));
    await bad.closed;
    expect(bad.messages).toEqual([{ type: 'error', message: 'a frame is not JSON' }]);

    const early = await rawClient(path);
    early.socket.write(encodeFrame({ type: 'scan-start', allowDuplicates: false }));
    await early.closed;
    expect(early.messages[0]).toMatchObject({ type: 'error', message: expect.stringMatching(/before "hello"/) });

    const good = await rawClient(path);
    good.socket.write(encodeFrame({ type: 'hello', version: 1, client: 'test' }));
    good.socket.write(encodeFrame({ type: 'scan-start', allowDuplicates: false }));
    await until(() => good.messages.filter((m) => m.type === 'advertisement').length === 2);
    expect(good.messages.filter((m) => m.type === 'advertisement').map((m) => (m as { name: string }).name)).toEqual(['FL-00000001', 'FL-00000002']);
    good.socket.write(encodeFrame({ type: 'connect', address: 'c0:00:00:00:00:00', mtu: 247 }));
    await until(() => good.messages.some((m) => m.type === 'connect-failed'));
    expect(good.messages.find((m) => m.type === 'connect-failed')).toMatchObject({ code: 'unknown' });
    good.socket.destroy();
  });
});
