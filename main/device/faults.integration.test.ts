/**
 * Every injected fault ends in a recovery or a clean, named error — never a hang. One simulator process serves
 * one gateway per fault (`gw=INDEX`), reached over real ptys.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSimulator, type SpawnedSimulator } from '../testing/sim-process';
import { GatewaySession } from './session';
import { echo } from '../smp/groups/os';
import { hashFile, uploadFile } from '../smp/groups/fs';
import { readState, uploadImage } from '../smp/groups/image';
import { shellExec } from '../smp/groups/shell';
import { makeMcubootImage } from './mcuboot-image';
import { FieldlineError } from '../errors';

const FAULTS = [
  'drop-request:p=0.2,gw=0',
  'drop-reply:p=0.2,gw=1',
  'corrupt-reply:p=0.2,gw=2',
  'duplicate-reply:p=0.5,gw=3',
  'delay-reply:ms=1500,gw=4',
  'disconnect:after=6,gw=5',
  'reboot-mid-upload:at=20000,gw=6',
  'fail-diag:name=selftest,gw=7',
  'disconnect:after=3,back=300,gw=8',
  'reboot-mid-upload:at=9000,gw=9',
];

let sim: SpawnedSimulator;
const sessions: GatewaySession[] = [];

async function open(index: number, timeoutMs = 300): Promise<GatewaySession> {
  const s = await GatewaySession.openSerial(sim.gateways[index]!.port, { timeoutMs, retries: 4 });
  sessions.push(s);
  return s;
}

async function roundTrip(s: GatewaySession, name: string, size: number): Promise<void> {
  const data = randomBytes(size);
  await uploadFile(s.client, name, data, { ...(await s.buffers()), firstChunkTimeoutMs: 500, chunkTimeoutMs: 300, maxStalls: 10 });
  const h = await hashFile(s.client, name, { type: 'sha256', timeoutMs: 1000 });
  expect(h.output).toBe(createHash('sha256').update(data).digest('hex'));
}

beforeAll(async () => {
  sim = await spawnSimulator({
    count: FAULTS.length,
    baud: 0,
    bufSize: 384,
    faults: FAULTS,
    extra: ['--seed', '7', '--delay', 'reboot=100'],
  });
});

afterAll(async () => {
  for (const s of sessions) await s.close().catch(() => {});
  await sim?.stop();
});

describe('fault injection', () => {
  it.each([
    ['dropped requests', 0],
    ['dropped replies', 1],
    ['corrupted replies', 2],
    ['duplicated replies', 3],
  ])('recovers from %s (gw %i): every echo answered, an upload arrives intact', async (_fault, index) => {
    const s = await open(index);
    for (let i = 0; i < 20; i++) expect(await echo(s.client, `n${i}`)).toBe(`n${i}`);
    await roundTrip(s, '/lfs/f.bin', 12_000);
    if (index === 2) expect(s.client.stats.malformed).toBeGreaterThan(0);
    if (index === 3) expect(s.client.stats.staleReplies).toBeGreaterThan(0);
    if (index <= 1) expect(s.client.stats.retries).toBeGreaterThan(0);
  });

  it('a slow device gives DEVICE_TIMEOUT with a short timeout, and an answer with a long one', async () => {
    const short = await GatewaySession.openSerial(sim.gateways[4]!.port, { timeoutMs: 300, retries: 0 });
    const err = await echo(short.client, 'x').catch((e: unknown) => e);
    expect((err as FieldlineError).code).toBe('DEVICE_TIMEOUT');
    await short.close();
    // Let the device finish the late reply before the next session opens the port.
    await new Promise((r) => setTimeout(r, 1600));
    const long = await open(4, 4000);
    expect(await echo(long.client, 'y')).toBe('y');
  });

  it('an unplug mid-upload ends in PORT_VANISHED, promptly', async () => {
    const s = await open(5, 1000);
    const started = Date.now();
    const err = await uploadFile(s.client, '/lfs/u.bin', randomBytes(30_000), await s.buffers()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FieldlineError);
    expect(['PORT_VANISHED', 'DEVICE_DISCONNECTED']).toContain((err as FieldlineError).code);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a gateway that comes back after an unplug can be opened again', async () => {
    const s = await open(8, 500);
    const err = await (async () => {
      for (let i = 0; i < 10; i++) await echo(s.client, 'x');
    })().catch((e: unknown) => e);
    expect((err as FieldlineError).code).toBe('PORT_VANISHED');
    await s.close();
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        const again = await open(8, 500);
        expect(await echo(again.client, 'back')).toBe('back');
        break;
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  });

  it('an image upload survives a reboot mid-transfer by starting over with the first-chunk fields', async () => {
    const s = await open(6, 500);
    const img = makeMcubootImage({ version: '3.0.0', size: 40_000 });
    const r = await uploadImage(s.client, img, { ...(await s.buffers()), firstChunkTimeoutMs: 1000, chunkTimeoutMs: 500, maxStalls: 20 });
    expect(r.match).toBe(true);
    expect((await readState(s.client)).find((x) => x.slot === 1)?.version).toBe('3.0.0');
  });

  it('an FS upload survives a reboot mid-transfer', async () => {
    const s = await open(9, 500);
    await roundTrip(s, '/lfs/r.bin', 20_000);
  });

  it('a failing diagnostic reports failure through the shell', async () => {
    const s = await open(7);
    const r = await shellExec(s.client, ['diag', 'selftest']);
    expect(r.ret).not.toBe(0);
    expect(r.output).toMatch(/FAIL/);
    expect((await shellExec(s.client, ['diag', 'temp'])).ret).toBe(0);
  });
});
