import { describe, expect, it } from 'vitest';
import { testDevice } from './test-support';

const FS = 8;
const SHELL = 9;
const SITE = '/lfs/config/site.json';

describe('file-system shell (fs ls, fs rm)', () => {
  it('removes a file that the FS group cannot delete, and lists folders as Zephyr prints them', async () => {
    const t = await testDevice();
    const golden = new Uint8Array(64).fill(0x41);
    await t.ok(FS, 0, 'write', { name: SITE, off: 0, len: golden.length, data: golden });
    // Zephyr 3.4: a zero-byte upload at offset 0 leaves an existing file exactly as it was.
    await t.ok(FS, 0, 'write', { name: SITE, off: 0, len: 0, data: new Uint8Array(0) });
    expect(await t.ok(FS, 1, 'read', { name: SITE })).toEqual({ len: 64 });

    expect(await t.ok(SHELL, 0, 'write', { argv: ['fs', 'ls', '/lfs/config'] })).toEqual({ o: 'site.json\r\n', ret: 0 });
    expect((await t.ok(SHELL, 0, 'write', { argv: ['fs', 'ls', '/lfs'] })).o).toContain('config/\r\n');
    expect(await t.ok(SHELL, 0, 'write', { argv: ['fs', 'ls', '/'] })).toEqual({ o: 'lfs/\r\n', ret: 0 });
    expect(await t.ok(SHELL, 0, 'write', { argv: ['fs', 'rm', SITE] })).toEqual({ o: '', ret: 0 });
    expect(await t.call(FS, 1, 'read', { name: SITE })).toEqual({ kind: 'group-error', name: 'FILE_NOT_FOUND' });
    expect(await t.ok(SHELL, 0, 'write', { argv: ['fs', 'ls', '/lfs/config'] })).toEqual({ o: '', ret: 0 });
  });

  it('fails like Zephyr on a missing file, a missing folder and a wrong argument count', async () => {
    const t = await testDevice();
    expect(await t.ok(SHELL, 0, 'write', { argv: ['fs', 'rm', SITE] })).toEqual({ o: `Failed to remove ${SITE} (-2)\r\n`, ret: -8 });
    expect(await t.ok(SHELL, 0, 'write', { argv: ['fs', 'ls', '/lfs/nowhere'] })).toEqual({ o: 'Unable to open /lfs/nowhere (err -2)\r\n', ret: -8 });
    expect((await t.ok(SHELL, 0, 'write', { argv: ['fs', 'rm'] })).ret).toBe(-22);
    expect((await t.ok(SHELL, 0, 'write', { argv: ['fs'] })).o).toMatch(/^fs - File system commands\r\nSubcommands:\r\n {2}ls : .*\r\n {2}rm : Remove file\r\n$/);
  });

  it('is not a command on a gateway built without it', async () => {
    const t = await testDevice({ fsShell: false });
    expect(await t.ok(SHELL, 0, 'write', { argv: ['fs', 'rm', SITE] })).toEqual({ o: 'fs: command not found\r\n', ret: -8 });
  });
});
