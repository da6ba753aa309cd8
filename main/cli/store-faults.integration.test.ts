/**
 * The store's environment failures as a technician meets them, through the real CLI against a virtual gateway
 * (issue #11): a data directory on a nearly full disk, a read-only one. Each must end the command with exit 2
 * and words that name the folder — never hang, never look like a failed device (1) or a bug (70).
 *
 * The small disk is a tmpfs (main/testing/small-disk.ts): mounting one needs root, which CI and the development
 * container have; elsewhere these tests are skipped and the skip says why.
 */
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastJsonLine, REPO_ROOT, runFieldline, type CliRun } from '../testing/cli';
import { spawnSimulator, type SpawnedSimulator } from '../testing/sim-process';
import { mountSmallDisk, type SmallDisk } from '../testing/small-disk';
import { runFieldlineTimed, type TimedRun } from '../testing/timed-cli';

const PROFILE = join(REPO_ROOT, 'resources/profiles/gateway-eu.yaml');
const PASSPHRASE = 'correct-horse-battery';
/**
 * The done-when of issue #11: 150 KB free, exit 2 within 5 s. Asserted as its cause, not with a stopwatch (one
 * failed CI runs on a loaded machine, where starting Node alone can take seconds): the command ends by itself once
 * its error is out — its event loop runs empty, the session and store closed — rather than by the exit rule's 2 s
 * timer or by being killed as hung.
 */
const FREE_KB = 150;

// Top-level: the skip reason must be known when the suite is declared.
const disk: SmallDisk | string = await mountSmallDisk(4096);
const skipped = typeof disk === 'string' ? disk : undefined;
const small = (): SmallDisk => disk as SmallDisk;

let sim: SpawnedSimulator;
let dataDir: string;

/** A command that outlives this is killed, so a hang fails the test instead of timing it out. */
const KILL_AFTER_MS = 30_000;

const ENV = (): Record<string, string> => ({ FIELDLINE_DATA_DIR: dataDir, FIELDLINE_CA_PASSPHRASE: PASSPHRASE });
const fieldline = (args: string[]): Promise<CliRun> => runFieldline(args, ENV(), KILL_AFTER_MS);
const timed = (args: string[]): Promise<TimedRun> => runFieldlineTimed(args, ENV(), KILL_AFTER_MS);

describe.skipIf(skipped !== undefined)(`store on a small disk${skipped ? ` — skipped: ${skipped}` : ''}`, { timeout: 120_000 }, () => {
  beforeAll(async () => {
    dataDir = join(small().dir, 'data');
    await mkdir(dataDir, { mode: 0o700 });
    sim = await spawnSimulator({ count: 1, baud: 0, extra: ['--delay', 'reboot=100'] });
    // The CA and the store exist before the disk fills: the failure must come from a write during the run.
    expect((await fieldline(['ca', 'init', '--json'])).code).toBe(0);
    expect((await fieldline(['runs', 'list', '--json'])).code).toBe(0);
  });

  afterAll(async () => {
    await sim?.stop();
    await small().unmount();
  });

  it(`provision with ${FREE_KB} KB free exits 2 by itself once its error is out, naming the disk and the space left`, async () => {
    await small().fillTo(FREE_KB);
    const run = await timed(['provision', '--port', sim.gateways[0]!.port, '--profile', PROFILE, '--json']);
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(run.afterErrorMs, 'no error line before the exit').toBeDefined();
    expect(run.endedByItself, `something was left open: ended ${run.hung ? 'killed as hung' : 'by the exit rule'}`).toBe(true);
    const { error } = lastJsonLine(run.stdout) as { error: { code: string; message: string; hint: string } };
    expect(error.code).toBe('STORE_DISK_FULL');
    expect(error.message).toContain(`free space on the disk that holds ${dataDir}`);
    expect(error.message).toMatch(/\d+ KB left/);
    // The run could not be recorded as ended, and says so; the store still answers, with the run as last saved.
    expect(error.message).toMatch(/could not be recorded; the next run of \S+ \(or `fieldline repair`\) repairs its record/);
    const runs = await fieldline(['runs', 'list', '--json']);
    expect(runs.code, runs.stderr).toBe(0);
    expect(JSON.parse(runs.stdout)).toEqual([expect.objectContaining({ outcome: 'running' })]);
  });

  it('once there is space again, the next provision passes and no run is left running', async () => {
    await small().unfill();
    const run = await fieldline(['provision', '--port', sim.gateways[0]!.port, '--profile', PROFILE, '--json']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const runs = JSON.parse((await fieldline(['runs', 'list', '--json'])).stdout) as Array<{ outcome: string }>;
    // Newest first: this run passed, the one the full disk stopped is repaired (interrupted), none is left running.
    expect(runs.map((r) => r.outcome)).toEqual(['passed', 'interrupted']);
    expect((await fieldline(['audit', 'verify'])).code).toBe(0);
  });

  it('a read-only data directory ends provision with exit 2 naming the folder', async () => {
    await promisify(execFile)('mount', ['-o', 'remount,ro', small().dir]);
    try {
      const run = await timed(['provision', '--port', sim.gateways[0]!.port, '--profile', PROFILE, '--json']);
      expect(run.code, run.stdout + run.stderr).toBe(2);
      expect(run.afterErrorMs, 'no error line before the exit').toBeDefined();
      expect(run.endedByItself, `something was left open: ended ${run.hung ? 'killed as hung' : 'by the exit rule'}`).toBe(true);
      const { error } = lastJsonLine(run.stdout) as { error: { code: string; message: string } };
      expect(error.code).toMatch(/^STORE_/);
      expect(error.message).toContain(dataDir);
    } finally {
      await promisify(execFile)('mount', ['-o', 'remount,rw', small().dir]);
    }
  });
});
