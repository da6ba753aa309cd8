/** `fieldline runs …` and `fieldline audit verify` as a user runs them: child processes on a real data directory. */
import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withStoreOf } from '../testing/core-store';
import { sampleRunRecord } from '../testing/run-records';
import { runFieldline, type CliRun } from '../testing/cli';


const fieldline = (args: string[]): Promise<CliRun> => runFieldline(args, {}, 60_000);

const parse = (stdout: string): unknown => JSON.parse(stdout.trim().split('\n').at(-1) ?? 'null');

let dir: string;
const older = sampleRunRecord({ id: '3f2a9c1e-0001', serial: 'GW-A', startedAt: '2026-11-26T05:00:00.000Z' });
const newer = sampleRunRecord({ id: '3f2a77b0-0002', serial: 'GW-B', startedAt: '2026-11-26T06:00:00.000Z', outcome: 'passed' });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fieldline-runs-cli-'));
  await withStoreOf(dir, (store) => {
    store.saveRun(older);
    store.saveRun(newer);
    for (let i = 0; i < 12; i += 1) store.appendAudit({ actor: 'station:line-3', action: 'run.finished', subject: `GW-${i}`, details: { i } });
  });
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('fieldline runs', () => {
  it('list: newest first, as JSON and as a table, filtered by serial', async () => {
    const [json, text, filtered] = await Promise.all([
      fieldline(['runs', 'list', '--data-dir', dir, '--json']),
      fieldline(['runs', 'list', '--data-dir', dir]),
      fieldline(['runs', 'list', '--serial', 'GW-A', '--limit', '5', '--data-dir', dir, '--json']),
    ]);
    expect(json.code, json.stderr).toBe(0);
    expect((parse(json.stdout) as Array<{ id: string }>).map((r) => r.id)).toEqual([newer.id, older.id]);
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+STARTED\s+OUTCOME\s+SERIAL\s+PROFILE\s+STATION\s+DURATION$/);
    expect(lines[1]).toMatch(new RegExp(`^${newer.id}\\s.*passed.*GW-B\\s+acme-gateway 1\\.2\\.0\\s+line-3\\s+42\\.5 s$`));
    expect((parse(filtered.stdout) as Array<{ id: string }>).map((r) => r.id)).toEqual([older.id]);
  });

  it('list: the Runs screen\'s filters (serial prefix, outcome, profile, days) and --csv for a spreadsheet', async () => {
    const [prefix, outcome, profile, days, csv, bad, both] = await Promise.all([
      fieldline(['runs', 'list', '--serial-prefix', 'GW-', '--data-dir', dir, '--json']),
      fieldline(['runs', 'list', '--outcome', 'failed', '--data-dir', dir, '--json']),
      fieldline(['runs', 'list', '--profile', 'no-such-profile', '--data-dir', dir, '--json']),
      fieldline(['runs', 'list', '--from', '2026-11-26T05:30:00Z', '--to', '2026-11-26', '--data-dir', dir, '--json']),
      fieldline(['runs', 'list', '--outcome', 'passed', '--csv', '--data-dir', dir]),
      fieldline(['runs', 'list', '--outcome', 'maybe', '--data-dir', dir]),
      fieldline(['runs', 'list', '--csv', '--json', '--data-dir', dir]),
    ]);
    const idsOf = (run: CliRun): string[] => (parse(run.stdout) as Array<{ id: string }>).map((r) => r.id);
    expect(prefix.code, prefix.stderr).toBe(0);
    expect(idsOf(prefix)).toEqual([newer.id, older.id]);
    expect(idsOf(outcome)).toEqual([older.id]);
    expect(idsOf(profile)).toEqual([]);
    expect(idsOf(days)).toEqual([newer.id]);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout).toBe(
      'run,serial,outcome,error,profile,profile_version,station,started_at,ended_at\r\n' +
        `${newer.id},GW-B,passed,${newer.error?.code ?? ''},acme-gateway,1.2.0,line-3,${newer.startedAt},${newer.endedAt}\r\n`,
    );
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--outcome/);
    expect(both.code).not.toBe(0);
    // Under --json the error is the JSON line on stdout.
    expect(both.stdout + both.stderr).toMatch(/--csv or --json/);
  });

  it('show: the record by a unique prefix, exactly as saved; steps and durations as text', async () => {
    const [json, text] = await Promise.all([
      fieldline(['runs', 'show', '3f2a9', '--data-dir', dir, '--json']),
      fieldline(['runs', 'show', '3f2a77', '--data-dir', dir]),
    ]);
    expect(json.code, json.stderr).toBe(0);
    expect(parse(json.stdout)).toStrictEqual(older);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`Run ${newer.id}  PASSED`);
    expect(text.stdout).toMatch(/diagnostics\s+failed\s+10\.0 s\s+DIAGNOSTICS_FAILED: temperature/);
    expect(text.stdout).toMatch(/FAIL\s+temperature\s+91 °C\s+-20\.\.85/);
  });

  it('show: an unknown or ambiguous id is an error in the technician\'s words, exit 2 (a bad argument)', async () => {
    const [unknown, ambiguous] = await Promise.all([
      fieldline(['runs', 'show', 'ffff', '--data-dir', dir, '--json']),
      fieldline(['runs', 'show', '3f2a', '--data-dir', dir]),
    ]);
    expect(unknown.code).toBe(2);
    expect(parse(unknown.stdout)).toMatchObject({ error: { code: 'RUN_NOT_FOUND', message: 'No such run: ffff' } });
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/More than one run starts with that id: "3f2a" could be 3f2a/);
  });
});

describe('fieldline audit verify', () => {
  it('passes on an intact log, and fails with the entry after a raw edit of the table', async () => {
    const ok = await fieldline(['audit', 'verify', '--data-dir', dir, '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(parse(ok.stdout)).toEqual({ ok: true, entries: 12 });

    // What someone with the file and the sqlite3 shell would do.
    const db = new Database(join(dir, 'fieldline.db'));
    db.prepare(`UPDATE audit SET subject = 'GW-forged' WHERE seq = 7`).run();
    db.close();

    const [broken, text] = await Promise.all([
      fieldline(['audit', 'verify', '--data-dir', dir, '--json']),
      fieldline(['audit', 'verify', '--data-dir', dir]),
    ]);
    expect(broken.code).toBe(1);
    expect(parse(broken.stdout)).toMatchObject({
      ok: false,
      entries: 6,
      problem: { seq: 7, reason: expect.stringMatching(/edited/) },
      error: { code: 'AUDIT_BROKEN', message: expect.stringMatching(/^The audit log has been tampered with: entry 7: /) },
    });
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^audit log BROKEN at entry 7: entry was edited/);
    expect(text.stdout).toMatch(/fix: .*copy the data directory as evidence/);
  });
});
