/** The machine's own probes: what they answer here, the bounded reads, the write test, the udev rule's vendors. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { GATEWAY_VIDS, readCapped, systemProbes } from './system-probes';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});
const tmp = async (): Promise<string> => (dir = await mkdtemp(join(tmpdir(), 'fieldline-probes-')));

describe('system probes', () => {
  it('the vendors it looks for are the ones the shipped udev rule marks', async () => {
    const rule = await readFile(new URL('../../../resources/udev/99-fieldline.rules', import.meta.url), 'utf8');
    const vids = [...rule.matchAll(/ATTRS\{idVendor\}=="([0-9a-f]{4})"/g)].map((m) => m[1]);
    expect([...vids].sort()).toEqual([...GATEWAY_VIDS].sort());
  });

  it('reads /proc files up to a cap (their reported size is 0)', async () => {
    expect(await readCapped('/proc/self/status')).toMatch(/^Name:/);
    expect((await readCapped('/proc/self/status', 10))?.length).toBe(10);
    expect(await readCapped('/no/such/file')).toBeUndefined();
  });

  it('the write test leaves nothing behind, and fails with the errno of a folder that is not there', async () => {
    const d = await tmp();
    await systemProbes().writeTest(d);
    expect(await readdir(d)).toEqual([]);
    await expect(systemProbes().writeTest(join(d, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('finds an installed rule and tells a changed copy from the shipped one', async () => {
    const d = await tmp();
    const shipped = join(d, 'shipped.rules');
    await writeFile(shipped, 'rule\n');
    const answer = await systemProbes({ shippedRule: shipped }).udevRule();
    // Whatever this machine has installed, the answer is consistent with it.
    if (answer.installed === null) expect(answer.current).toBeNull();
    else expect(typeof answer.current).toBe('boolean');
  });

  it.runIf(process.platform === 'linux')('answers about this Linux machine in the shapes the checks expect', async () => {
    const p = systemProbes();
    const me = await p.identity();
    expect(me.uid).toBe(process.getuid!());
    const { stdout } = await promisify(execFile)('id', ['-Gn']);
    expect(me.sessionGroups.sort()).toEqual(stdout.trim().split(/\s+/).sort());
    expect(await p.processes()).toContain('node');
    expect(Array.isArray(await p.portHolders())).toBe(true);
    const space = await p.diskSpace(tmpdir());
    expect(space.freeBytes).toBeGreaterThan(0);
    expect(space.totalBytes).toBeGreaterThanOrEqual(space.freeBytes);
    expect((await p.executables(['sh', 'no-such-command-here']))).toEqual({ sh: expect.stringMatching(/\/sh$/), 'no-such-command-here': null });
    const caps = await p.capabilities();
    expect(caps.root).toBe(process.getuid!() === 0);
  });
});
