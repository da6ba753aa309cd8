/**
 * Issue #6 item 2 through the CLI: `fieldline batch --require-scan --scan-input <FIFO>` holds every gateway until
 * its label is scanned, binds each scan (serial or NAME=value) to a gateway, refuses a bad scan and goes on, and a
 * label that does not match the board fails that board's identify step — with both serials named.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSimulator, type SpawnedSimulator } from '../testing/sim-process';
import { REPO_ROOT, runFieldline } from '../testing/cli';

const PROFILE = join(REPO_ROOT, 'resources/profiles/gateway-eu.yaml');
let work: string;
let dataDir: string;
let portsDir: string;
let sim: SpawnedSimulator | undefined;
const env = (): Record<string, string> => ({ FIELDLINE_DATA_DIR: dataDir, FIELDLINE_CA_PASSPHRASE: 'correct-horse-battery', FIELDLINE_PORTS_DIR: portsDir });

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'fieldline-batch-scan-'));
  dataDir = join(work, 'data');
  portsDir = join(work, 'ports');
  const init = await runFieldline(['ca', 'init', '--json'], env());
  expect(init.code, init.stderr).toBe(0);
});

afterAll(async () => {
  await sim?.stop();
  await rm(work, { recursive: true, force: true });
});

type Line = Record<string, unknown>;

describe('fieldline batch with scans', { timeout: 240_000 }, () => {
  it('waits for each label, binds serials and variables, refuses a bad scan, and fails the board whose label is wrong', async () => {
    const fifo = join(work, 'scans');
    execFileSync('mkfifo', [fifo]);
    const child = spawn(
      process.execPath,
      ['bin/fieldline.js', 'batch', '--profile', PROFILE, '--ports', 'auto', '--count', '3', '--require-scan', '--scan-input', fifo, '--json'],
      { cwd: REPO_ROOT, env: { ...process.env, ...env() }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
    const lines = (): Line[] => stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line);
    const waitFor = async (what: string, ok: (ls: Line[]) => boolean): Promise<void> => {
      const deadline = Date.now() + 60_000;
      while (!ok(lines())) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`batch: no ${what}\n${stdout}\n${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };

    await waitFor('watching', (ls) => ls.some((l) => l.event === 'watching' && l.requireScan === true));
    sim = await spawnSimulator({ count: 3, baud: 0, env: { FIELDLINE_PORTS_DIR: portsDir } });
    const [gw0, gw1, gw2] = [sim.gateways[0]!, sim.gateways[1]!, sim.gateways[2]!];
    // Every gateway is seen, and waits for its label.
    await waitFor('three gateways awaiting their scan', (ls) => new Set(ls.filter((l) => l.event === 'slot' && l.awaitingScan === true).map((l) => l.port)).size === 3);
    await new Promise((r) => setTimeout(r, 300));
    expect(lines().filter((l) => l.event === 'run-start')).toEqual([]);

    // A wedge scanner's lines: a variable for the next gateway, gw1's label (lower case, CR LF), a GS1 code the
    // line cannot use, a label that belongs to no board here, then gw2's label. Written by separate writers.
    for (const scan of ['site=HAM-7\r\n', `${gw1.serial.toLowerCase()}\r\n`, '0104012345\u001d10AB\r\n', 'WRONGLABEL01\r\n', `${gw2.serial}\n`]) {
      const fd = openSync(fifo, 'w');
      writeSync(fd, scan);
      closeSync(fd);
    }
    const code = await exited;
    const all = lines();

    const scans = all.filter((l) => l.event === 'scan');
    expect(scans.map((s) => s.binding)).toEqual([
      { kind: 'variable', name: 'site', value: 'HAM-7' },
      { kind: 'serial', value: gw1.serial.toLowerCase() },
      { kind: 'serial', value: 'WRONGLABEL01' },
      { kind: 'serial', value: gw2.serial },
    ]);
    expect(scans.every((s) => s.slot === 'next')).toBe(true);
    const refused = all.filter((l) => l.event === 'scan-error');
    expect(refused).toEqual([{ event: 'scan-error', error: expect.objectContaining({ code: 'SCAN_INVALID', message: expect.stringMatching(/control character 0x1d/), hint: expect.any(String) }) }]);

    // Each label went to the board whose port reports it; the stray label to the board left; the variable to the first to start.
    const starts = all.filter((l) => l.event === 'run-start');
    const portOf = (serial: string): string => (all.find((l) => l.event === 'slot' && l.serialNumber === serial)?.port as string) ?? '?';
    const startOn = (serial: string): Line | undefined => starts.find((s) => s.port === portOf(serial));
    expect(startOn(gw1.serial)).toMatchObject({ expectedSerial: gw1.serial.toLowerCase(), scannedVariables: { site: 'HAM-7' } });
    expect(startOn(gw0.serial)).toMatchObject({ expectedSerial: 'WRONGLABEL01' });
    expect(startOn(gw0.serial)!.scannedVariables).toBeUndefined();
    expect(startOn(gw2.serial)).toMatchObject({ expectedSerial: gw2.serial });

    const ends = all.filter((l) => l.event === 'run-end');
    expect(ends, stderr).toHaveLength(3);
    const endOn = (serial: string): Line | undefined => ends.find((e) => e.port === portOf(serial));
    expect(endOn(gw1.serial)).toMatchObject({ outcome: 'passed', serial: gw1.serial });
    expect(endOn(gw2.serial)).toMatchObject({ outcome: 'passed', serial: gw2.serial });
    expect(endOn(gw0.serial)).toMatchObject({
      outcome: 'failed',
      step: 'identify',
      error: { code: 'DEVICE_IDENTIFY_FAILED', message: `the board's label says WRONGLABEL01 but the gateway reports ${gw0.serial}` },
    });
    expect(all.at(-1)).toMatchObject({ event: 'summary', runs: 3, passed: 2, failed: 1, failuresByStep: [{ step: 'identify', count: 1 }] });
    expect(code).toBe(1);

    // The scanned variable reached the run itself (its record in the store), over the profile's default.
    const list = await runFieldline(['runs', 'list', '--serial', gw1.serial, '--json'], env());
    const [run] = JSON.parse(list.stdout) as Array<{ id: string; outcome: string }>;
    expect(run).toMatchObject({ outcome: 'passed' });
    const shown = await runFieldline(['runs', 'show', run!.id, '--json'], env());
    expect(JSON.parse(shown.stdout)).toMatchObject({ variables: { site: 'HAM-7' } });
  });

  it('refuses wrong station-rule flags and --require-scan without scans as usage errors (2), naming the flag', async () => {
    for (const [args, words] of [
      [['--serial-pattern', 'GW(['], /--serial-pattern "GW\(\[" is not a valid regular expression/],
      [['--usb', '2fe3:0100:9'], /--usb: "2fe3:0100:9" is not VID\[:PID\]/],
      [['--require-scan'], /--require-scan needs --scan-input/],
      [['--scan-input', join(work, 'no-such-fifo')], /--scan-input .*no-such-fifo/],
    ] as const) {
      const run = await runFieldline(['batch', '--profile', PROFILE, '--count', '1', '--no-virtual', ...args, '--json'], env());
      expect(run.code, run.stdout + run.stderr).toBe(2);
      expect((JSON.parse(run.stdout.trim()) as { error: { message: string } }).error.message).toMatch(words);
    }
  });
});
