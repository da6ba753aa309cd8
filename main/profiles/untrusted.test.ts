/**
 * The loader against hostile files (issue #11): each input either loads with its problems listed or is refused with
 * a stable code — never a throw of a plain error, an unbounded read, a stack overflow or minutes of CPU.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isFieldlineError } from '../errors';
import { HOSTILE } from '../testing/hostile-profiles';
import { lintProfile, loadProfile, profileProblems } from './load';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fieldline-untrusted-'));
  dirs.push(dir);
  return dir;
}
async function fileWith(text: string, name = 'p.yaml'): Promise<string> {
  const file = join(await tempDir(), name);
  await writeFile(file, text);
  return file;
}

/** What lintProfile did: its problems, or the code and message it was refused with (a plain error fails the test). */
async function lintOutcome(path: string): Promise<{ problems?: string[]; refused?: string; message?: string; problemPaths?: string[] }> {
  try {
    return { problems: (await lintProfile(path)).map((p) => `${p.line} ${p.path}: ${p.message}`) };
  } catch (err) {
    if (!isFieldlineError(err)) throw err;
    const problems = Array.isArray(err.details.problems) ? (err.details.problems as Array<{ path: string }>) : [];
    return { refused: err.code, message: err.message, problemPaths: problems.map((p) => p.path) };
  }
}

describe('profile files the loader refuses to read', () => {
  it('refuses a directory and a FIFO as the profile, without blocking on the FIFO', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'folder.yaml'));
    expect(await lintOutcome(join(dir, 'folder.yaml'))).toMatchObject({ refused: 'FILE_NOT_REGULAR', message: expect.stringContaining('directory') });
    const fifo = join(dir, 'pipe.yaml');
    try {
      execFileSync('mkfifo', [fifo]);
    } catch {
      return; // mkfifo (coreutils) is missing: the directory case above still ran.
    }
    // Opening a FIFO for reading waits for a writer: a loader that did so would never answer.
    expect(await lintOutcome(fifo)).toMatchObject({ refused: 'FILE_NOT_REGULAR', message: expect.stringContaining('FIFO') });
  });

  it('refuses a device file as the profile, and follows a symlink only to a regular file', async () => {
    expect(await lintOutcome('/dev/zero')).toMatchObject({ refused: 'FILE_NOT_REGULAR', message: expect.stringContaining('character device') });
    const dir = await tempDir();
    await symlink('/dev/zero', join(dir, 'zero.yaml'));
    expect(await lintOutcome(join(dir, 'zero.yaml'))).toMatchObject({ refused: 'FILE_NOT_REGULAR' });
    await writeFile(join(dir, 'real.yaml'), 'apiVersion: fieldline/v1\nname: real\nversion: 1.0.0\n');
    await symlink(join(dir, 'real.yaml'), join(dir, 'current.yaml'));
    expect((await loadProfile(join(dir, 'current.yaml'))).profile.name).toBe('real');
  });

  it('refuses a profile over 1 MiB before reading it', async () => {
    const outcome = await lintOutcome(await fileWith(HOSTILE.oversized()));
    expect(outcome).toMatchObject({ refused: 'FILE_TOO_LARGE', message: expect.stringContaining('1 MiB') });
  });
});

describe('firmware images', () => {
  it('refuses /dev/zero as the image instead of hashing it without end', async () => {
    const outcome = await lintOutcome(await fileWith(HOSTILE.devZeroImage()));
    expect(outcome).toMatchObject({ refused: 'FILE_NOT_REGULAR', message: expect.stringContaining('/dev/zero'), problemPaths: ['firmware.image'] });
  });

  it('refuses an image over the cap, hashing none of it', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'fw.bin'), Buffer.alloc(4096));
    const firmware = `firmware:\n  minVersion: 1.0.0\n  image: fw.bin\n  sha256: "${'0'.repeat(64)}"\n`;
    const text = `apiVersion: fieldline/v1\nname: fw\nversion: 1.0.0\n${firmware}`;
    await writeFile(join(dir, 'p.yaml'), text);
    await expect(loadProfile(join(dir, 'p.yaml'), { maxImageBytes: 1024 })).rejects.toMatchObject({ code: 'FILE_TOO_LARGE' });
  });
});

describe('YAML that expands, repeats or nests without end', () => {
  it('refuses 70,000 keys before parsing them (yaml\'s duplicate-key check took 77 s on them)', async () => {
    const outcome = await lintOutcome(await fileWith(HOSTILE.manyKeys()));
    // The cause, not a stopwatch (one fails a loaded CI): the prescan of the text refused it — its words, and no
    // position, which only a parsed document has — so yaml never saw the 70,000 keys.
    expect(outcome).toEqual({
      refused: 'PROFILE_TOO_COMPLEX',
      message: expect.stringMatching(/: has [\d,]+ of the characters that start YAML keys and items .*: more keys and items than a profile may have/),
      problemPaths: [],
    });
  });

  it('still finds duplicate keys among thousands, each once', () => {
    const keys = Array.from({ length: 1500 }, (_, i) => `  k${i}: {type: boolean, value: true}\n`).join('');
    const text = `apiVersion: fieldline/v1\nname: d\nversion: 1.0.0\nsettings:\n${keys}  k7: {type: boolean, value: false}\n`;
    const problems = profileProblems(text, 'p.yaml');
    expect(problems.map((p) => `${p.line} ${p.message}`)).toEqual(['1505 Map keys must be unique']);
  });

  it('refuses a billion laughs with a clear error, not INTERNAL', async () => {
    const outcome = await lintOutcome(await fileWith(HOSTILE.billionLaughs()));
    expect(outcome).toMatchObject({ refused: 'PROFILE_TOO_COMPLEX', message: expect.stringContaining('alias') });
  });

  it('refuses more than 100 aliases, naming where the limit was passed', async () => {
    const outcome = await lintOutcome(await fileWith(HOSTILE.manyAliases()));
    expect(outcome).toMatchObject({ refused: 'PROFILE_TOO_COMPLEX', message: expect.stringContaining('100 aliases') });
  });

  it('refuses nesting deeper than the limit instead of overflowing the stack', async () => {
    expect(await lintOutcome(await fileWith(HOSTILE.deepNesting()))).toMatchObject({ refused: 'PROFILE_TOO_COMPLEX' });
    const hundred = await lintOutcome(await fileWith(HOSTILE.deepNesting(100)));
    expect(hundred).toMatchObject({ refused: 'PROFILE_TOO_COMPLEX', message: expect.stringContaining('nested') });
  });
});

describe('regular expressions in a profile', () => {
  it('reports a huge pattern as a problem of bounded length', async () => {
    const outcome = await lintOutcome(await fileWith(HOSTILE.hugeRegex()));
    expect(outcome.problems).toHaveLength(1);
    expect(outcome.problems?.[0]).toMatch(/^5 identify\.pattern: is 300000 characters long; a pattern may have at most 1024$/);
  });

  it('reports a pattern that backtracks without end on its own default, after at most 400 ms', async () => {
    for (const text of [HOSTILE.catastrophicRegex(), HOSTILE.backtrackingAlternation()]) {
      const outcome = await lintOutcome(await fileWith(text));
      expect(outcome.problems).toEqual([expect.stringMatching(/^6 variables\.v\.pattern: ran longer than 200 ms on the variable's own default/)]);
    }
  });

  it('keeps compile errors short', () => {
    const [problem] = profileProblems(`apiVersion: fieldline/v1\nname: r\nversion: 1.0.0\nidentify:\n  pattern: "${'('.repeat(900)}x"\n`, 'p.yaml');
    expect(problem?.message).toMatch(/does not compile/);
    expect(problem?.message.length).toBeLessThan(300);
  });

  it('bounds what problems quote: a value of 500 KB is not copied into the message', () => {
    const huge = '9'.repeat(500_000);
    const settings = `settings:\n  a/n: {type: integer, encoding: u8, value: "${huge}"}\n  a/s: {type: string, value: ${huge}}\n`;
    const problems = profileProblems(`apiVersion: fieldline/v1\nname: r\nversion: 1.0.0\n${settings}`, 'p.yaml');
    expect(problems.map((p) => p.path)).toEqual(['settings.a/n.value', 'settings.a/s.value']);
    for (const p of problems) expect(p.message.length).toBeLessThan(300);
  });
});
