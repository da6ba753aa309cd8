/**
 * Done-when of issue #12 (item 1): with `fieldline sim --count 2`, provision both; then `fieldline batch --ports auto
 * --count 2 --rework keep --json` passes both without issuing (identity step "kept"), `--rework replace` passes both
 * with new certificates whose predecessors are in `fieldline ca revoked`, and `line kpis --json` counts these four
 * runs as rework.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSimulator, type SpawnedSimulator } from '../testing/sim-process';
import { REPO_ROOT, runFieldline } from '../testing/cli';

const PROFILE = join(REPO_ROOT, 'resources/profiles/gateway-eu.yaml');
let dataDir: string;
let portsDir: string;
let sim: SpawnedSimulator | undefined;
const env = (): Record<string, string> => ({ FIELDLINE_DATA_DIR: dataDir, FIELDLINE_CA_PASSPHRASE: 'correct-horse-battery', FIELDLINE_PORTS_DIR: portsDir });

type Line = Record<string, unknown>;

async function batch(extra: string[]): Promise<{ code: number; ends: Line[]; summary: Line; stderr: string }> {
  const run = await runFieldline(['batch', '--profile', PROFILE, '--ports', 'auto', '--count', '2', '--json', ...extra], env());
  const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Line);
  return { code: run.code, ends: lines.filter((l) => l.event === 'run-end'), summary: lines.at(-1)!, stderr: run.stderr };
}

async function json<T>(args: string[]): Promise<T> {
  const run = await runFieldline([...args, '--json'], env());
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as T;
}

const bySerial = (ends: Line[]): Map<string, Line> => new Map(ends.map((e) => [e.serial as string, e]));

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'fieldline-rework-'));
  portsDir = await mkdtemp(join(tmpdir(), 'fieldline-rework-ports-'));
  const init = await runFieldline(['ca', 'init', '--json'], env());
  expect(init.code, init.stderr).toBe(0);
  sim = await spawnSimulator({ count: 2, baud: 0, env: { FIELDLINE_PORTS_DIR: portsDir } });
});

afterAll(async () => {
  await sim?.stop();
  await rm(dataDir, { recursive: true, force: true });
  await rm(portsDir, { recursive: true, force: true });
});

describe('rework on the line', { timeout: 240_000 }, () => {
  it('keep passes both units without issuing; replace issues new certificates and revokes the old; KPIs count rework apart', async () => {
    const serials = new Set(sim!.gateways.map((g) => g.serial));
    const first = await batch([]);
    expect(first.code, first.stderr).toBe(0);
    expect(new Set(first.ends.map((e) => e.serial))).toEqual(serials);
    expect(first.ends.every((e) => e.outcome === 'passed' && e.rework === false)).toBe(true);
    const original = bySerial(first.ends);
    const issuedAfterFirst = await json<unknown[]>(['ca', 'issued']);
    expect(issuedAfterFirst).toHaveLength(2);

    // Without --rework the two are "passed earlier" and nothing runs; with it, both run again and keep their identity.
    const keep = await batch(['--rework', 'keep']);
    expect(keep.code, keep.stderr).toBe(0);
    expect(new Set(keep.ends.map((e) => e.serial))).toEqual(serials);
    for (const e of keep.ends) {
      expect(e).toMatchObject({ outcome: 'passed', rework: true, identity: 'kept', certificate: original.get(e.serial as string)!.certificate });
    }
    expect(await json<unknown[]>(['ca', 'issued'])).toHaveLength(2);
    expect(keep.summary).toMatchObject({ event: 'summary', runs: 2, passed: 2, failed: 0, firstPassRuns: 0, rework: { runs: 2, passed: 2, failed: 0, yield: 1 } });
    // Two runs in a few seconds mean nothing per hour yet.
    expect(keep.summary.unitsPerHour).toBeNull();

    const replace = await batch(['--rework', 'replace']);
    expect(replace.code, replace.stderr).toBe(0);
    expect(new Set(replace.ends.map((e) => e.serial))).toEqual(serials);
    const revoked = await json<Array<{ serial: string; reason: string }>>(['ca', 'revoked']);
    for (const e of replace.ends) {
      const old = original.get(e.serial as string)!.certificate as string;
      expect(e).toMatchObject({ outcome: 'passed', rework: true, identity: 'replaced' });
      expect(e.certificate).not.toBe(old);
      expect(revoked).toContainEqual({ serial: old.replace(/^0+/, ''), reason: 'superseded', time: expect.any(String) });
    }
    const issued = await json<Array<{ serial: string; state: string }>>(['ca', 'issued']);
    expect(issued.filter((c) => c.state === 'revoked').map((c) => c.serial).sort()).toEqual([...original.values()].map((e) => e.certificate as string).sort());
    expect(issued.filter((c) => c.state === 'in-service').map((c) => c.serial).sort()).toEqual(replace.ends.map((e) => e.certificate as string).sort());

    const k = await json<{ overall: { units: number; passed: number; firstPassUnits: number; firstPassYield: number; rework: Record<string, number> } }>(['line', 'kpis']);
    expect(k.overall).toMatchObject({ units: 6, passed: 6, firstPassUnits: 2, firstPassYield: 1, rework: { units: 4, passed: 4, failed: 0, devices: 2, yield: 1 } });
  });

  it('refuses a rework mode it does not know, as a usage error', async () => {
    const run = await runFieldline(['batch', '--profile', PROFILE, '--count', '1', '--rework', 'erase', '--json'], env());
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('--rework takes keep or replace');
  });
});
