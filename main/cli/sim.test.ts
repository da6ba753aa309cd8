/** `fieldline sim` as a separate process, through the shared helper every integration test uses. */
import { execFile } from 'node:child_process';
import { lstat, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMcubootImage } from '../device/mcuboot-image';
import { spawnSimulator } from '../testing/sim-process';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function fieldline(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/fieldline.js', ...args], { cwd: ROOT }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Command lines of running processes that mention `text` (reads /proc, so no tool is needed). */
async function processesMentioning(text: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(text)) found.push(cmdline.replaceAll('\0', ' '));
  }
  return found;
}

const exists = (p: string): Promise<boolean> => lstat(p).then(() => true, () => false);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fieldline-sim-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('fieldline sim', () => {
  it('prints one JSON line per gateway, and SIGTERM stops everything, socat included', async () => {
    const sim = await spawnSimulator({ count: 3, baud: 0, extra: ['--delay', 'reboot=0'] });
    expect(sim.gateways.map((g) => g.serial)).toEqual(['F1E1D00000000001', 'F1E1D00000000002', 'F1E1D00000000003']);
    const runDir = dirname(sim.gateways[0]!.port);
    for (const g of sim.gateways) expect(await exists(g.port)).toBe(true);
    const socats = (await processesMentioning(runDir)).filter((c) => c.startsWith('socat'));
    expect(socats).toHaveLength(3);

    expect(await sim.stop()).toBe(0);
    expect(await processesMentioning(runDir)).toEqual([]);
    for (const g of sim.gateways) expect(await exists(g.port)).toBe(false);
    expect(await exists(runDir)).toBe(false);
  });

  it('keeps device state in --state-dir, one folder per serial', async () => {
    const stateDir = join(dir, 'state');
    const sim = await spawnSimulator({ count: 1, baud: 0, stateDir, extra: ['--delay', 'reboot=0'] });
    expect(await sim.stop()).toBe(0);
    expect(await readdir(stateDir)).toEqual(['F1E1D00000000001']);
  });

  // Seven CLI start-ups one after another: about 4 s each on a loaded two-core machine.
  it('rejects out-of-range numbers and bad fault specs with a clear error (exit 2: a bad option value)', { timeout: 90_000 }, async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--count', '0'], /--count must be an integer from 1 to 64/],
      [['--count', '65'], /--count must be an integer from 1 to 64/],
      [['--baud', '-1'], /--baud must be an integer from 0/],
      [['--buf-size', '63'], /--buf-size must be an integer from 64 to 65535/],
      [['--buf-count', '1'], /--buf-count must be an integer from 2/],
      [['--fault', 'drop-reply:p=2'], /probability between 0 and 1/],
      [['--delay', 'warp=1'], /--delay takes NAME=MS/],
    ];
    for (const [args, message] of cases) {
      const r = await fieldline(['sim', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  it('documents every fault spec in --help', async () => {
    const r = await fieldline(['sim', '--help']);
    expect(r.code).toBe(0);
    for (const example of ['drop-request:p=0.05', 'corrupt-reply:p=0.02', 'delay-reply:ms=1500', 'disconnect:after=', 'reboot-mid-upload:at=', 'fail-diag:name=selftest', 'gw=INDEX']) {
      expect(r.stdout).toContain(example);
    }
  });

  it('make-image writes an MCUboot image and reports it (subcommand beside the parent action)', async () => {
    const file = join(dir, 'app.bin');
    const r = await fieldline(['sim', 'make-image', '--version', '1.2.3', '--size', '8192', '-o', file, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { file: string; size: number; version: string; hash: string };
    expect(out).toMatchObject({ file, size: 8192, version: '1.2.3' });
    const image = parseMcubootImage(new Uint8Array(await readFile(file)));
    expect(image.hashValid).toBe(true);
    expect(Buffer.from(image.hash!).toString('hex')).toBe(out.hash);
  });
});
