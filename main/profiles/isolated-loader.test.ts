/**
 * The worker that loads profiles off the event loop: the same answers as loading in process, refusals as values,
 * and its own limits — time and memory — ending a job with a clear refusal and a fresh worker for the next.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { HOSTILE } from '../testing/hostile-profiles';
import { createProfileLoader, loadProfileIsolated, type ProfileLoader } from './isolated-loader';
import { loadProfile } from './load';

const EXAMPLE = fileURLToPath(new URL('../../resources/profiles/gateway-eu.yaml', import.meta.url));
const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

const loaders: ProfileLoader[] = [];
const dirs: string[] = [];
function loader(options: Parameters<typeof createProfileLoader>[0] = {}): ProfileLoader {
  const created = createProfileLoader(options);
  loaders.push(created);
  return created;
}
afterEach(async () => {
  await Promise.all(loaders.splice(0).map((l) => l.close()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** Six variables whose patterns backtrack without end: the pattern guard spends its whole budget (600 ms) on them. */
function slowProfile(): string {
  const variables = [1, 2, 3, 4, 5, 6].map((i) => `  v${i}: {pattern: "(a+)+$", default: "${'a'.repeat(40)}!"}\n`).join('');
  return `apiVersion: fieldline/v1\nname: slow\nversion: 1.0.0\nvariables:\n${variables}`;
}

describe('the isolated profile loader', () => {
  it('loads a profile exactly as loading in process does', async () => {
    const isolated = await loadProfileIsolated(loader(), EXAMPLE);
    const inProcess = await loadProfile(EXAMPLE);
    expect(isolated.profile).toEqual(inProcess.profile);
    expect(isolated.sha256).toBe(inProcess.sha256);
    expect(isolated.text).toBe(inProcess.text);
  });

  it('refuses the hostile profiles of issue #11 with their codes', async () => {
    const l = loader();
    const outcome = async (text: string): Promise<unknown> =>
      l.analyseContent(encode(text), '/tmp/hostile.yaml').then(
        () => 'loaded',
        (err: unknown) => err,
      );
    expect(await outcome(HOSTILE.devZeroImage())).toMatchObject({ code: 'FILE_NOT_REGULAR' });
    expect(await outcome(HOSTILE.manyKeys())).toMatchObject({ code: 'PROFILE_TOO_COMPLEX' });
    expect(await outcome(HOSTILE.billionLaughs())).toMatchObject({ code: 'PROFILE_TOO_COMPLEX' });
    expect(await outcome(HOSTILE.manyAliases())).toMatchObject({ code: 'PROFILE_TOO_COMPLEX' });
    expect(await outcome(HOSTILE.oversized())).toMatchObject({ code: 'FILE_TOO_LARGE' });
  });

  it('reads files in the worker with the same refusals: a FIFO is never waited on', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fieldline-isolated-'));
    dirs.push(dir);
    await writeFile(join(dir, 'bad.yaml'), 'apiVersion: fieldline/v1\nname: Bad\nversion: 1.0.0\n');
    const l = loader();
    expect((await l.analyseFile(join(dir, 'bad.yaml'))).problems).toEqual([expect.objectContaining({ path: 'name', line: 2 })]);
    await expect(l.analyseFile(dir)).rejects.toMatchObject({ code: 'FILE_NOT_REGULAR' });
    try {
      execFileSync('mkfifo', [join(dir, 'pipe.yaml')]);
    } catch {
      return; // no mkfifo (coreutils) here: the directory case above still ran.
    }
    await expect(l.analyseFile(join(dir, 'pipe.yaml'))).rejects.toMatchObject({ code: 'FILE_NOT_REGULAR' });
  });

  it('stops a job at its time limit, refuses it, and loads the next in a fresh worker', async () => {
    const l = loader({ timeoutMs: 300 });
    await expect(l.analyseContent(encode(slowProfile()), 'slow.yaml')).rejects.toMatchObject({
      code: 'PROFILE_TOO_COMPLEX',
      message: 'slow.yaml: took longer than 300 ms to check, and was stopped',
    });
    await expect(loadProfileIsolated(l, EXAMPLE)).resolves.toMatchObject({ profile: { name: 'gateway-eu' } });
  });

  it('stops a worker that passes its memory limit and refuses the job', async () => {
    const hungry = loader({ maxHeapMb: 32, workerEntry: new URL('../testing/hungry-loader-worker.mjs', import.meta.url) });
    await expect(hungry.analyseContent(encode('x: 1\n'), 'hungry.yaml')).rejects.toMatchObject({
      code: 'PROFILE_TOO_COMPLEX',
      message: 'hungry.yaml: needed more than 32 MB to check, and was stopped',
    });
  });

  it('refuses jobs past its queue instead of holding them without end', async () => {
    const l = loader({ maxQueued: 1, timeoutMs: 5000 });
    const first = l.analyseFile(EXAMPLE);
    const second = l.analyseFile(EXAMPLE);
    await expect(l.analyseFile(EXAMPLE)).rejects.toMatchObject({ code: 'PROFILE_LOADER_BUSY' });
    await expect(Promise.all([first, second])).resolves.toHaveLength(2);
  });
});
