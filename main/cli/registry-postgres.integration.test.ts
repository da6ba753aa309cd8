/**
 * The registry on PostgreSQL through the real CLI (issue #15): `registry serve --database URL` errors in words
 * without the password; issue #4's done-when against it (five runs queued while it is down, one `sync --once`
 * delivers them, each device shows once with its run); and two registry processes on one database taking
 * uploads from eight stations at once, alternately and with re-sends, store each record exactly once.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastJsonLine, REPO_ROOT, runFieldline, type CliRun } from '../testing/cli';
import { acquireTestDatabase, postgresUnavailable } from '../testing/postgres';
import { registryRunRecord } from '../testing/registry';
import { serveRegistryProcess, type RegistryProcess } from '../testing/registry-process';
import { spawnSimulator, type SpawnedSimulator } from '../testing/sim-process';

const PROFILE = join(REPO_ROOT, 'resources/profiles/gateway-eu.yaml');
const unavailable = postgresUnavailable();

describe.skipIf(unavailable !== undefined)(`registry on PostgreSQL from the command line${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let work: string;
  let database: { url: string; release(): Promise<void> };
  const registries: RegistryProcess[] = [];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'fieldline-registry-pg-'));
    database = await acquireTestDatabase();
  }, 60_000);

  afterAll(async () => {
    await Promise.all(registries.map((r) => r.stop()));
    await database?.release();
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function serve(port = 0): Promise<RegistryProcess> {
    const registry = await serveRegistryProcess(database.url, { port });
    registries.push(registry);
    return registry;
  }

  it('refuses a bad or unreachable --database with exit 2 and never prints the password', async () => {
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const unreachable = await runFieldline(['registry', 'serve', '--port', '0', '--database', `postgres://someone:${password}@127.0.0.1:1/registry`]);
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toMatch(/cannot use the registry database postgres:\/\/someone@127\.0\.0\.1:1\/registry: .*ECONNREFUSED/);
    const wrongScheme = await runFieldline(['registry', 'token', 'create', '--station', 's', '--json'], { FIELDLINE_REGISTRY_DB: `mysql://someone:${password}@db/registry` });
    expect(wrongScheme.code).toBe(2);
    expect(lastJsonLine(wrongScheme.stdout)).toMatchObject({ error: { message: expect.stringMatching(/FIELDLINE_REGISTRY_DB is a SQLite file or a postgres:\/\/ URL, not "mysql:\/\/someone@db\/registry"/) } });
    const badUrl = await runFieldline(['registry', 'serve', '--port', '0', '--database', `mysql://someone:${password}@db/registry`, '--json']);
    expect(badUrl.code).toBe(2);
    expect(lastJsonLine(badUrl.stdout)).toMatchObject({ error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/must be a postgres:\/\/ URL/) } });
    for (const run of [unreachable, wrongScheme, badUrl]) expect(run.stdout + run.stderr).not.toContain(password);

    // Serving: the banner names the database without the password (the test cluster trusts any).
    const withPassword = new URL(database.url);
    withPassword.password = password;
    const served = await serveRegistryProcess(withPassword.toString());
    registries.push(served);
    expect(served.banner).toMatchObject({ engine: 'postgres', database: database.url });
    expect(JSON.stringify(served.banner)).not.toContain(password);
  });

  it("passes issue #4's done-when against it: five runs queued while it is down, one sync --once delivers them", async () => {
    const dataDir = join(work, 'station');
    const env = { FIELDLINE_DATA_DIR: dataDir, FIELDLINE_CA_PASSPHRASE: 'correct-horse-battery' };
    const fieldline = (args: string[], input?: string): Promise<CliRun> => runFieldline(args, env, 60_000, input);
    let sim: SpawnedSimulator | undefined;
    try {
      const [simulator, first] = await Promise.all([
        spawnSimulator({ count: 5, baud: 0, extra: ['--delay', 'reboot=100'] }),
        serve(),
        fieldline(['ca', 'init', '--json']).then((r) => expect(r.code, r.stderr).toBe(0)),
      ]);
      sim = simulator;
      const created = await runFieldline(['registry', 'token', 'create', '--station', 'line-1', '--database', database.url]);
      expect(created.code, created.stderr).toBe(0);
      const token = created.stdout.trim().split('\n').at(-1) as string;
      const login = await fieldline(['registry', 'login', '--url', first.url, '--token-stdin', '--json'], created.stdout);
      expect(login.code, login.stderr).toBe(0);

      await first.stop();
      const records: Array<{ id: string; device: { serial: string } }> = [];
      for (const gw of sim.gateways) {
        const run = await fieldline(['provision', '--port', gw.port, '--profile', PROFILE, '--json']);
        expect(run.code, run.stderr + run.stdout.slice(-2000)).toBe(0);
        records.push(lastJsonLine(run.stdout) as unknown as (typeof records)[number]);
      }
      const down = await fieldline(['sync', '--once', '--json', '--timeout', '2000']);
      expect(down.code).toBe(1);
      expect(lastJsonLine(down.stdout)).toMatchObject({ ok: false, remaining: 5, error: { code: 'REGISTRY_UNREACHABLE' } });

      const again = await serve(first.port);
      const up = await fieldline(['sync', '--once', '--json']);
      expect(up.code, up.stdout + up.stderr).toBe(0);
      expect(lastJsonLine(up.stdout)).toMatchObject({ ok: true, delivered: 5, accepted: 5, remaining: 0 });
      for (const record of records) {
        const res = await fetch(`${again.url}/v1/devices/${encodeURIComponent(record.device.serial)}`, { headers: { authorization: `Bearer ${token}` } });
        expect(res.status).toBe(200);
        const device = (await res.json()) as { serial: string; runs: Array<{ id: string; outcome: string; receivedFrom: string }> };
        expect(device.serial).toBe(record.device.serial);
        expect(device.runs.map((r) => [r.id, r.outcome, r.receivedFrom])).toEqual([[record.id, 'passed', 'line-1']]);
      }
    } finally {
      await sim?.stop();
    }
  }, 180_000);

  it('two registry processes on one database, eight stations uploading to both alternately: each record stored once', async () => {
    const [a, b] = await Promise.all([serve(), serve()]);
    const registriesOf = [a, b] as const;
    const stations = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const created = await runFieldline(['registry', 'token', 'create', '--station', `fleet-${i}`, '--database', database.url, '--json']);
        expect(created.code, created.stderr).toBe(0);
        return { name: `fleet-${i}`, token: lastJsonLine(created.stdout).token as string };
      }),
    );
    const BATCHES = 6;
    const PER_BATCH = 50;
    const sent = new Set<string>();
    await Promise.all(
      stations.map(async (station, s) => {
        let previous: unknown[] | undefined;
        for (let n = 0; n < BATCHES; n++) {
          const batch = Array.from({ length: PER_BATCH }, (_, i) => registryRunRecord({ serial: `GW-FLEET-${s}-${n}-${i % 10}` }));
          for (const r of batch) sent.add(r.id);
          // Each batch to the other registry than the last, and the previous batch again with it: the re-send a
          // station makes when an acknowledgement was lost, arriving at the other process.
          const target = registriesOf[(s + n) % 2] as RegistryProcess;
          const records = previous ? [...batch, ...previous] : batch;
          const res = await fetch(`${target.url}/v1/records:batch`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${station.token}` },
            body: JSON.stringify({ records }),
          });
          expect(res.status).toBe(200);
          const reply = (await res.json()) as { accepted: string[]; duplicate: string[]; rejected: unknown[] };
          expect(reply.rejected).toEqual([]);
          expect(reply.accepted.sort()).toEqual(batch.map((r) => r.id).sort());
          expect(reply.duplicate).toHaveLength(previous?.length ?? 0);
          previous = batch;
        }
      }),
    );
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ total: string; distinct: string }>(
        `SELECT count(*) AS total, count(DISTINCT id) AS distinct FROM records WHERE serial LIKE 'GW-FLEET-%'`,
      );
      expect(sent.size).toBe(8 * BATCHES * PER_BATCH);
      expect(rows[0]).toEqual({ total: String(sent.size), distinct: String(sent.size) });
      // The receive sequence has no record twice and pages through all of them from either process.
      const seen = new Set<string>();
      let cursor = '';
      for (let page = 0; page < 100; page++) {
        const res = await fetch(`${registriesOf[page % 2]?.url}/v1/records?limit=1000&since=${cursor}`, { headers: { authorization: `Bearer ${stations[0]?.token}` } });
        const body = (await res.json()) as { records: Array<{ id: string }>; nextCursor: string };
        if (body.records.length === 0) break;
        for (const r of body.records) seen.add(r.id);
        cursor = body.nextCursor;
      }
      for (const id of sent) expect(seen.has(id)).toBe(true);
    } finally {
      await client.end();
    }
  }, 120_000);
});
