/**
 * Issue #13 (item 4) through `fieldline batch --json`: a run that updates a gateway's firmware prints the upload's
 * progress as the one progress event, with the gateway's port and run, and step messages (the reboot into the new
 * image) as their own lines — the line service's events, rendered by batch.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { progressSchema } from '../contract/progress';
import { spawnSimulator, type SpawnedSimulator } from '../testing/sim-process';
import { REPO_ROOT, runFieldline } from '../testing/cli';

let work: string;
let sim: SpawnedSimulator | undefined;
const env = (): Record<string, string> => ({ FIELDLINE_DATA_DIR: join(work, 'data'), FIELDLINE_CA_PASSPHRASE: 'correct-horse-battery', FIELDLINE_PORTS_DIR: join(work, 'ports') });

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'fieldline-batch-progress-'));
  const init = await runFieldline(['ca', 'init', '--json'], env());
  expect(init.code, init.stderr).toBe(0);
});

afterAll(async () => {
  await sim?.stop();
  await rm(work, { recursive: true, force: true });
});

describe('fieldline batch --json with a firmware update', { timeout: 240_000 }, () => {
  it('prints the upload’s progress lines and the step’s messages with the gateway’s port and run', async () => {
    const image = join(work, 'fw.bin');
    const made = await runFieldline(['sim', 'make-image', '--version', '1.1.0', '--size', '24000', '-o', image, '--json']);
    expect(made.code, made.stderr).toBe(0);
    const sha256 = createHash('sha256').update(await readFile(image)).digest('hex');
    // The example profile, asking for 1.1.0 (the virtual gateways run 1.0.0) with the image beside it.
    const example = await readFile(join(REPO_ROOT, 'resources/profiles/gateway-eu.yaml'), 'utf8');
    const yaml = example.replace(/^firmware:\n {2}minVersion: 1\.0\.0\n/m, `firmware:\n  minVersion: 1.1.0\n  image: fw.bin\n  sha256: ${sha256}\n`);
    expect(yaml).not.toBe(example);
    const profile = join(work, 'gateway-fw.yaml');
    await writeFile(profile, yaml);
    sim = await spawnSimulator({ count: 1, baud: 0, env: { FIELDLINE_PORTS_DIR: join(work, 'ports') } });

    const run = await runFieldline(['batch', '--profile', profile, '--ports', 'auto', '--count', '1', '--json'], env(), 120_000);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const start = lines.find((l) => l.event === 'run-start')!;
    const progress = lines.filter((l) => l.event === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    for (const { event: _event, port, runId, step, ...p } of progress) {
      expect({ port, runId, step }).toEqual({ port: start.port, runId: start.runId, step: 'firmware' });
      expect(progressSchema.strict().safeParse(p).success, JSON.stringify(p)).toBe(true);
    }
    expect(progress.at(-1)).toMatchObject({ op: 'image upload', done: 24_000, total: 24_000, etaSeconds: 0 });
    const messages = lines.filter((l) => l.event === 'step-message');
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.every((m) => m.port === start.port && m.runId === start.runId && typeof m.message === 'string')).toBe(true);
    expect(lines.at(-1)).toMatchObject({ event: 'summary', runs: 1, passed: 1 });
  });
});
