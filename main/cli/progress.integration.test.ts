/**
 * The one progress event on the CLI: `smp image upload --json` to a virtual gateway behind a modelled UART prints
 * progress lines of the contract's shape, at most ten a second and always the final one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { progressSchema } from '../contract/progress';
import { runFieldline } from '../testing/cli';
import { spawnSimulator, type SpawnedSimulator } from '../testing/sim-process';

let sim: SpawnedSimulator;
let dir: string;

beforeAll(async () => {
  // 115200 baud: a 24 KB image takes about two seconds, long enough for the throttle to matter.
  sim = await spawnSimulator({ count: 1, baud: 115_200 });
  dir = await mkdtemp(join(tmpdir(), 'fieldline-progress-'));
}, 60_000);

afterAll(async () => {
  await sim?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('progress under --json', () => {
  it('smp image upload prints { op, done, total, bytesPerSecond, etaSeconds } lines, at most 10 a second plus the final one', async () => {
    const img = join(dir, 'fw.bin');
    const made = await runFieldline(['sim', 'make-image', '--version', '2.0.0', '--size', '24000', '-o', img, '--json']);
    expect(made.code, made.stderr).toBe(0);
    const up = await runFieldline(['smp', 'image', 'upload', img, '--port', sim.gateways[0]!.port, '--json'], {}, 60_000);
    expect(up.code, up.stderr).toBe(0);
    const lines = up.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const progress = lines.filter((l) => l.event === 'progress');
    const summary = lines.at(-1) as { bytes: number; seconds: number };
    expect(summary.bytes).toBe(24_000);

    for (const { event: _event, ...p } of progress) expect(progressSchema.strict().safeParse(p).success, JSON.stringify(p)).toBe(true);
    expect(progress.every((p) => p.op === 'image upload' && p.total === 24_000)).toBe(true);
    const dones = progress.map((p) => p.done as number);
    expect(dones).toEqual([...dones].sort((a, b) => a - b));
    expect(progress.at(-1)).toMatchObject({ done: 24_000, etaSeconds: 0 });
    expect(progress.some((p) => (p.bytesPerSecond as number) > 0)).toBe(true);
    // Hundreds of chunk acknowledgements, but the throttle at the source lets through ten a second and the last.
    expect(summary.seconds).toBeGreaterThan(0.5);
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(summary.seconds * 10) + 1);
  }, 120_000);
});
