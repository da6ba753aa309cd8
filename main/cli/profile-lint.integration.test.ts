/**
 * `fieldline profile lint` as a user runs it — the real command in its own process — on issue #11's hostile
 * files: each ends with its exit code (2: not checked at all, 1: problems) and a one-paragraph error, never exit 70
 * or a stack trace, and the process never reaches 300 MB (its peak RSS, worker included, read at exit).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFieldline } from '../testing/cli';
import { HOSTILE, type HostileProfile } from '../testing/hostile-profiles';

const PEAK_RSS_HOOK = fileURLToPath(new URL('../testing/report-peak-rss.mjs', import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fieldline-lint-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function lint(path: string): Promise<{ code: number; stderr: string; peakMb: number }> {
  const run = await runFieldline(['profile', 'lint', path], { NODE_OPTIONS: `--import=${PEAK_RSS_HOOK}` }, 60_000);
  const kb = /^fieldline-test: peak RSS (\d+) kB$/m.exec(run.stderr)?.[1];
  return { code: run.code, stderr: run.stderr, peakMb: Number(kb ?? NaN) / 1024 };
}

const cases: Array<{ name: HostileProfile; code: 1 | 2; says: RegExp }> = [
  { name: 'manyAliases', code: 2, says: /too large or too complex.*more than 100 aliases/ },
  { name: 'billionLaughs', code: 2, says: /aliases that expand/ },
  { name: 'manyKeys', code: 2, says: /more keys and items than a profile may have/ },
  { name: 'deepNesting', code: 2, says: /more keys and items than a profile may have/ },
  { name: 'devZeroImage', code: 2, says: /firmware image \/dev\/zero is a character device/ },
  { name: 'oversized', code: 2, says: /larger than allowed/ },
  { name: 'hugeRegex', code: 1, says: /identify\.pattern: is 300000 characters long/ },
  { name: 'catastrophicRegex', code: 1, says: /variables\.v\.pattern: ran longer than 200 ms/ },
];

describe('fieldline profile lint on hostile files, in its own process', { timeout: 120_000 }, () => {
  for (const { name, code, says } of cases) {
    it(`${name}: exit ${code}, a clear message, no stack trace, under 300 MB`, async () => {
      const file = join(dir, `${name}.yaml`);
      await writeFile(file, HOSTILE[name]());
      const run = await lint(file);
      expect(run.code, run.stderr).toBe(code);
      // Problems go to stdout, refusals to stderr: either way the words are there, and no frames of a stack.
      const all = run.stderr + (code === 1 ? (await runFieldline(['profile', 'lint', file])).stdout : '');
      expect(all).toMatch(says);
      expect(run.stderr).not.toMatch(/^\s+at /m);
      expect(run.stderr).not.toContain('internal error');
      expect(run.peakMb).toBeLessThan(300);
    });
  }

  it('a directory and a FIFO: exit 2, never waiting on the FIFO', async () => {
    await mkdir(join(dir, 'folder.yaml'));
    expect(await lint(join(dir, 'folder.yaml'))).toMatchObject({ code: 2, stderr: expect.stringContaining('is a directory, not a regular file') });
    try {
      execFileSync('mkfifo', [join(dir, 'pipe.yaml')]);
    } catch {
      return; // no mkfifo (coreutils) here: the directory was checked
    }
    const fifo = await lint(join(dir, 'pipe.yaml'));
    expect(fifo).toMatchObject({ code: 2, stderr: expect.stringContaining('is a FIFO (named pipe), not a regular file') });
  });
});
