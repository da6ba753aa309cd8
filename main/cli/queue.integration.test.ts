/**
 * Issue #4's done-when, as a technician runs it, every step a child process: `fieldline registry serve` on a free
 * port, `registry login --token-stdin`, the registry stopped, five provisioning runs against virtual gateways →
 * five pending; `sync --once` fails while it is down, delivers once it is back; the device look-up shows each
 * device once with its run. Then the dead-letter list and retry, and an offline bundle through the CLI.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withStoreOf } from '../testing/core-store';
import { lastJsonLine, REPO_ROOT, runFieldline, type CliRun } from '../testing/cli';
import { registryRunRecord } from '../testing/registry';
import { sampleRunRecord } from '../testing/run-records';
import { spawnSimulator, type SpawnedSimulator } from '../testing/sim-process';

const PROFILE = join(REPO_ROOT, 'resources/profiles/gateway-eu.yaml');
const BIN = join(REPO_ROOT, 'bin/fieldline.js');
let work: string;
let dataDir: string;
let dbFile: string;
let sim: SpawnedSimulator;
let server: { child: ChildProcess; url: string; port: number } | undefined;
let token: string;
const outputs: string[] = [];

const env = (): Record<string, string> => ({ FIELDLINE_DATA_DIR: dataDir, FIELDLINE_CA_PASSPHRASE: 'correct-horse-battery' });
async function fieldline(args: string[], input?: string): Promise<CliRun> {
  const run = input === undefined ? await runFieldline(args, env()) : await withStdin(args, input);
  outputs.push(run.stdout, run.stderr);
  return run;
}

const withStdin = (args: string[], input: string): Promise<CliRun> => runFieldline(args, env(), 60_000, input);

/** `fieldline registry serve` as a service: resolves with its URL once it prints it. */
function serve(port: number): Promise<{ child: ChildProcess; url: string; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'registry', 'serve', '--port', String(port), '--db', dbFile, '--json'], { cwd: REPO_ROOT });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) {
        const { url, port: actual } = JSON.parse(line) as { url: string; port: number };
        resolve({ child, url, port: actual });
      }
    });
    child.once('exit', (code) => reject(new Error(`registry serve exited with ${code}`)));
  });
}

async function stopServer(): Promise<void> {
  const s = server;
  server = undefined;
  if (!s || s.child.exitCode !== null) return;
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  await exited;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'fieldline-queue-cli-'));
  dataDir = join(work, 'station');
  dbFile = join(work, 'registry.db');
  const [simulator, served] = await Promise.all([
    spawnSimulator({ count: 5, baud: 0, extra: ['--delay', 'reboot=100'] }),
    serve(0),
    fieldline(['ca', 'init', '--json']).then((r) => expect(r.code, r.stderr).toBe(0)),
  ]);
  sim = simulator;
  server = served;
}, 60_000);

afterAll(async () => {
  await stopServer();
  await sim?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const status = async (): Promise<Record<string, unknown>> => {
  const run = await fieldline(['queue', 'status', '--json']);
  expect(run.code, run.stderr).toBe(0);
  return lastJsonLine(run.stdout);
};

describe('registry sync from the command line (issue #4 done-when)', () => {
  it('queues five runs while the registry is stopped, and delivers them once it is back', async () => {
    const created = await runFieldline(['registry', 'token', 'create', '--station', 'line-1', '--db', dbFile]);
    expect(created.code, created.stderr).toBe(0);
    token = created.stdout.trim().split('\n').at(-1)!;
    const login = await fieldline(['registry', 'login', '--url', server!.url, '--token-stdin', '--json'], created.stdout);
    expect(login.code, login.stderr).toBe(0);
    expect(lastJsonLine(login.stdout)).toMatchObject({ url: server!.url, station: 'line-1' });
    expect(statSync(join(dataDir, 'registry-token')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dataDir, 'registry.json'), 'utf8')).not.toContain(token);

    const port = server!.port;
    await stopServer();
    const records: Array<{ id: string; device: { serial: string } }> = [];
    for (const gw of sim.gateways) {
      const run = await fieldline(['provision', '--port', gw.port, '--profile', PROFILE, '--json']);
      expect(run.code, run.stderr + run.stdout.slice(-2000)).toBe(0);
      records.push(lastJsonLine(run.stdout) as unknown as (typeof records)[number]);
    }
    expect(await status()).toMatchObject({ pending: 5, inFlight: 0, deadLetter: 0, sent: 0, registryConfigured: true });

    const down = await fieldline(['sync', '--once', '--json', '--timeout', '2000']);
    expect(down.code).toBe(1);
    expect(lastJsonLine(down.stdout)).toMatchObject({ ok: false, remaining: 5, reason: expect.stringMatching(/5 run\(s\) left: registry unreachable/), error: { code: 'REGISTRY_UNREACHABLE' } });
    expect(await status()).toMatchObject({ pending: 5, online: false, lastError: expect.stringMatching(/unreachable/) });

    server = await serve(port);
    const up = await fieldline(['sync', '--once', '--json']);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(lastJsonLine(up.stdout)).toMatchObject({ ok: true, delivered: 5, accepted: 5, remaining: 0 });
    expect(await status()).toMatchObject({ pending: 0, sent: 5, online: true, lastError: null });

    for (const record of records) {
      const res = await fetch(`${server.url}/v1/devices/${encodeURIComponent(record.device.serial)}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      const device = (await res.json()) as { serial: string; runs: Array<{ id: string; outcome: string; receivedFrom: string }> };
      expect(device.serial).toBe(record.device.serial);
      expect(device.runs.map((r) => [r.id, r.outcome, r.receivedFrom])).toEqual([[record.id, 'passed', 'line-1']]);
    }
  }, 180_000);

  it('shows refused runs with the reason, and retry puts them back', async () => {
    const bad = sampleRunRecord({ serial: 'GW-BROKEN', outcome: 'passed' });
    await withStoreOf(dataDir, (store) => store.saveRun(bad));
    const sync = await fieldline(['sync', '--once', '--json']);
    expect(sync.code).toBe(1);
    expect(lastJsonLine(sync.stdout)).toMatchObject({ ok: false, deadLettered: 1, reason: expect.stringMatching(/refused by the registry/) });
    const dead = await fieldline(['queue', 'dead-letter', '--json']);
    expect(JSON.parse(dead.stdout)).toMatchObject([{ runId: bad.id, serial: 'GW-BROKEN', state: 'dead', deadReason: expect.stringMatching(/previousRunId/) }]);
    const text = await fieldline(['queue', 'dead-letter']);
    expect(text.stdout).toMatch(new RegExp(`${bad.id}\\s+dead[\\s\\S]*previousRunId`));
    expect((await fieldline(['queue', 'retry', 'no-such-id'])).code).toBe(1);
    const retry = await fieldline(['queue', 'retry', '--all', '--json']);
    expect(lastJsonLine(retry.stdout)).toEqual({ retried: [bad.id], notRetried: [] });
    expect(await status()).toMatchObject({ pending: 1, deadLetter: 0 });
    const list = await fieldline(['queue', 'list', '--state', 'pending', '--json']);
    expect((JSON.parse(list.stdout) as Array<{ runId: string }>).map((r) => r.runId)).toEqual([bad.id]);
  }, 60_000);

  it('exports an offline bundle; upload-bundle delivers it, an altered copy is refused with a clear error', async () => {
    // Pending now: the broken record retried above, and a good one.
    const good = registryRunRecord({ serial: 'GW-OFFLINE', outcome: 'passed' });
    await withStoreOf(dataDir, (store) => store.saveRun(good));
    const file = join(work, 'offline.json');
    const exported = await fieldline(['queue', 'export', file, '--json']);
    // Exit 1: the broken record cannot go into a bundle (it would make the file unreadable); it is dead-lettered.
    expect(exported.code, exported.stderr).toBe(1);
    expect(lastJsonLine(exported.stdout)).toMatchObject({ records: 1, station: 'line-1', invalid: [{ reason: expect.stringMatching(/previousRunId/) }] });
    expect(await status()).toMatchObject({ pending: 0, exported: 1, deadLetter: 1 });

    const altered = Buffer.from(readFileSync(file));
    altered[altered.indexOf('GW-OFFLINE') + 3] = 0x58;
    writeFileSync(join(work, 'altered.json'), altered);
    const refused = await fieldline(['registry', 'upload-bundle', join(work, 'altered.json')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/The bundle was refused: record 1 \(.*\) does not match its hash in the manifest/);
    expect(refused.stderr).toMatch(/fix: the file is damaged or was altered/);

    const uploaded = await fieldline(['registry', 'upload-bundle', file, '--json']);
    expect(uploaded.code, uploaded.stderr).toBe(0);
    expect(lastJsonLine(uploaded.stdout)).toMatchObject({ station: 'line-1', records: 1, accepted: 1, rejected: [] });
    // The next sync reconciles: the exported record is in the registry, so it is sent.
    const sync = await fieldline(['sync', '--once', '--json']);
    expect(lastJsonLine(sync.stdout)).toMatchObject({ ok: true, reconciled: 1 });
    expect(await status()).toMatchObject({ exported: 0, sent: 6, deadLetter: 1 });
  }, 60_000);

  it('never printed the token', () => {
    expect(token).toMatch(/^flt_/);
    for (const text of outputs) expect(text).not.toContain(token);
  });
});
