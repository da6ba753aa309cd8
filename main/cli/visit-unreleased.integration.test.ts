/**
 * Issue #16's first done-when with an ordinary profile file, never published as a release: two virtual gateways
 * provisioned with resources/profiles/gateway-eu.yaml `--var site=berlin-1` while a registry runs; a second data
 * directory prepares a visit kit for berlin-1; the registry stops; `service diagnose` names the previous run and its
 * profile without being told the profile, and passes. The kit can hold that profile only because the line station
 * kept the bytes its runs used and `sync` sent them to the registry (main/sync/profile-upload.ts).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type RunningSqliteRegistry } from '../../registry/server';
import { issueToken } from '../../registry/tokens';
import { lastJsonLine, REPO_ROOT, runFieldline, type CliRun } from '../testing/cli';
import { spawnSimulator, type SpawnedSimulator } from '../testing/sim-process';

interface Station {
  dataDir: string;
  run(args: string[]): Promise<CliRun>;
}

describe('fieldline service diagnose from a kit, for a device provisioned with an unreleased profile', () => {
  let work: string;
  let sim: SpawnedSimulator;
  let registry: RunningSqliteRegistry | undefined;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'fieldline-visit-unreleased-'));
    [registry, sim] = await Promise.all([startRegistry({ dbFile: join(work, 'registry.db'), host: '127.0.0.1' }), spawnSimulator({ count: 2, baud: 0, extra: ['--delay', 'reboot=100'] })]);
  }, 60_000);
  afterAll(async () => {
    await sim?.stop();
    await registry?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const station = (name: string): Station => {
    const dataDir = join(work, name);
    const env = { FIELDLINE_DATA_DIR: dataDir, FIELDLINE_KEY_DIR: join(work, `${name}-keys`), FIELDLINE_CA_PASSPHRASE: 'correct-horse-battery' };
    return { dataDir, run: (args) => runFieldline(args, env, 120_000) };
  };
  const ok = (run: CliRun): Record<string, unknown> => {
    expect(run.code, run.stderr + run.stdout.slice(-2000)).toBe(0);
    return lastJsonLine(run.stdout);
  };

  it('names the previous run and its profile offline, and passes', async () => {
    if (!registry) throw new Error('no registry');
    const profileFile = join(REPO_ROOT, 'resources/profiles/gateway-eu.yaml');
    const sha256 = createHash('sha256').update(await readFile(profileFile)).digest('hex');
    const line = station('line');
    const visit = station('visit');
    for (const [s, name] of [[line, 'line-1'], [visit, 'visit-laptop']] as const) {
      const token = await issueToken(registry.repository, name);
      const login = await runFieldline(['registry', 'login', '--url', registry.url, '--token-stdin', '--json'], { FIELDLINE_DATA_DIR: s.dataDir }, 60_000, token);
      expect(login.code, login.stderr).toBe(0);
    }
    ok(await line.run(['ca', 'init', '--json']));

    const runs: Array<{ id: string; serial: string }> = [];
    for (const gateway of sim.gateways) {
      const record = ok(await line.run(['provision', '--port', gateway.port, '--profile', profileFile, '--var', 'site=berlin-1', '--json']));
      expect(record).toMatchObject({ outcome: 'passed', site: 'berlin-1', profile: { name: 'gateway-eu', sha256 } });
      runs.push({ id: record.id as string, serial: (record.device as { serial: string }).serial });
    }
    // The line kept the exact bytes its runs used, under the hash their records state.
    expect(createHash('sha256').update(await readFile(join(line.dataDir, 'profiles', 'ran', `${sha256}.yaml`))).digest('hex')).toBe(sha256);
    ok(await line.run(['sync', '--once', '--json']));

    // A technician's laptop that never provisioned these gateways and holds no copy of the profile.
    const kit = ok(await visit.run(['visit', 'prepare', '--site', 'berlin-1', '--json']));
    expect(kit).toMatchObject({ prepared: true, scope: { kind: 'site', site: 'berlin-1' }, counts: { devices: 2, records: 2, profiles: 1 } });

    await registry.close();
    registry = undefined;

    const port = sim.gateways[0]!.port;
    const { id: runId, serial } = runs[0]!;
    const diagnosed = ok(await visit.run(['service', 'diagnose', '--port', port, '--json']));
    expect(diagnosed).toMatchObject({
      action: 'diagnose',
      outcome: 'passed',
      basis: { runId, source: 'kit', outcome: 'passed', profile: { name: 'gateway-eu', version: '1.0.0', sha256 }, profileFound: { source: 'kit' } },
      record: { outcome: 'passed', device: { serial }, service: { action: 'diagnose', basedOnRunId: runId, basedOnSource: 'kit' } },
    });
    const diagnostics = diagnosed.diagnostics as Array<{ passed: boolean }>;
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(diagnostics.every((d) => d.passed)).toBe(true);
  }, 300_000);
});
