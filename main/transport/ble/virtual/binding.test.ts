/**
 * The virtual binding against processes that are not (or not quite) a BLE simulator: it must fail with
 * BLE_VIRTUAL_UNREACHABLE and the state 'unsupported', never hang or throw. The happy paths run against the real
 * simulator in main/simulator/ble/virtual-ble.integration.test.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../log';
import { encodeFrame } from './protocol';
import { createVirtualBinding, type VirtualBinding } from './binding';

let dir: string;
let server: Server | undefined;
let binding: VirtualBinding | undefined;
const peers: Socket[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fl-vbind-'));
});

afterEach(async () => {
  binding?.close();
  binding = undefined;
  for (const p of peers.splice(0)) p.destroy();
  if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** A fake simulator that answers every connection with `onClient`. */
async function fakeSim(onClient: (socket: Socket) => void): Promise<string> {
  const path = join(dir, 'fake.sock');
  server = createServer((socket) => {
    socket.on('error', () => {});
    peers.push(socket);
    onClient(socket);
  });
  await new Promise<void>((resolve) => server!.listen(path, resolve));
  return path;
}

function firstState(b: VirtualBinding, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no stateChange')), timeoutMs);
    b.once('stateChange', (s: string) => {
      clearTimeout(timer);
      resolve(s);
    });
    b.init();
  });
}

describe('virtual binding against something that is not a BLE simulator', () => {
  it('fails on garbage instead of a hello', async () => {
    const path = await fakeSim((s) => s.write('HTTP/1.1 400 Bad Request\r\n\r\n'));
    binding = createVirtualBinding({ socketPath: path, logger: silentLogger });
    expect(await firstState(binding, 10_000)).toBe('unsupported');
    expect(binding.failure?.code).toBe('BLE_VIRTUAL_UNREACHABLE');
    expect(binding.failure?.message).toMatch(/does not speak the virtual BLE protocol/);
  });

  it('fails on a simulator speaking another protocol version', async () => {
    const path = await fakeSim((s) => s.write(encodeFrame({ type: 'hello', version: 99, gateways: 1 })));
    binding = createVirtualBinding({ socketPath: path, logger: silentLogger });
    expect(await firstState(binding, 10_000)).toBe('unsupported');
    expect(binding.failure?.message).toMatch(/protocol 99/);
  });

  it('fails when the peer accepts but never says hello (after 3 s, not forever)', async () => {
    const path = await fakeSim(() => {});
    binding = createVirtualBinding({ socketPath: path, logger: silentLogger });
    const started = Date.now();
    expect(await firstState(binding, 15_000)).toBe('unsupported');
    expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
    expect(binding.failure?.message).toMatch(/nothing answered/);
  });

  it('powers on after hello, and off (with a failure) when the peer hangs up', async () => {
    const path = await fakeSim((s) => {
      s.write(encodeFrame({ type: 'hello', version: 1, gateways: 0 }));
      setTimeout(() => s.destroy(), 50);
    });
    binding = createVirtualBinding({ socketPath: path, logger: silentLogger });
    expect(await firstState(binding, 10_000)).toBe('poweredOn');
    expect(binding.failure).toBeUndefined();
    const next = await new Promise<string>((resolve) => binding!.once('stateChange', resolve));
    expect(next).toBe('poweredOff');
    expect(binding.failure?.code).toBe('BLE_VIRTUAL_UNREACHABLE');
    expect(binding.failure?.message).toContain(path);
  });
});
