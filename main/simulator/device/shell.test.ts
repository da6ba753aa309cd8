import { describe, expect, it } from 'vitest';
import { captureOutput, splitCommandLine } from './shell';
import { testDevice } from './test-support';

const SHELL = 9;

describe('shell group', () => {
  it('prints hwinfo devid exactly as Zephyr hwinfo_shell.c does, through the dummy backend', async () => {
    const t = await testDevice({ serial: '0123456789ABCDEF' });
    expect(await t.ok(SHELL, 0, 'write', { argv: ['hwinfo', 'devid'] })).toEqual({
      o: 'Length: 8\r\nID: 0x0123456789abcdef\r\n',
      ret: 0,
    });
    const short = await testDevice({ serial: 'C0FFEE' });
    expect((await short.ok(SHELL, 0, 'write', { argv: ['hwinfo devid'] })).o).toBe('Length: 3\r\nID: 0xc0ffee\r\n');
  });

  it('runs the diagnostics, and fails the ones the config names', async () => {
    const good = await testDevice();
    const temp = await good.ok(SHELL, 0, 'write', { argv: ['diag', 'temp'] });
    expect(temp.o).toMatch(/^temperature: \d{2}\.\d{2} C\r\n$/);
    expect(temp.ret).toBe(0);
    const modem = await good.ok(SHELL, 0, 'write', { argv: ['diag', 'modem'] });
    expect(modem.o).toMatch(/^registration: registered \(home\)\r\nrssi: -\d+ dBm\r\noperator: .+\r\n$/);
    const self = await good.ok(SHELL, 0, 'write', { argv: ['diag', 'selftest'] });
    expect(self).toEqual({ o: 'ram: PASS\r\nflash: PASS\r\ncrypto: PASS\r\nrtc: PASS\r\nselftest: PASS\r\n', ret: 0 });

    const bad = await testDevice({ failDiagnostics: ['temp', 'modem', 'selftest'] });
    expect(await bad.ok(SHELL, 0, 'write', { argv: ['diag', 'temp'] })).toEqual({
      o: 'temperature: sensor read failed (err -5)\r\n',
      ret: -5,
    });
    expect((await bad.ok(SHELL, 0, 'write', { argv: ['diag', 'modem'] })).ret).toBe(-116);
    const failed = await bad.ok(SHELL, 0, 'write', { argv: ['diag', 'selftest'] });
    expect(failed.o).toContain('flash: FAIL');
    expect(failed.o).toContain('selftest: FAIL (1 of 4 checks failed)');
    expect(failed.ret).toBe(-5);
  });

  it('fails a diagnostic only while the named image version runs (a bad firmware release)', async () => {
    const other = await testDevice({ failDiagnostics: ['selftest@1.1.0'] });
    expect(await other.ok(SHELL, 0, 'write', { argv: ['diag', 'selftest'] })).toMatchObject({ ret: 0 });
    const running = await testDevice({ failDiagnostics: ['selftest@1.0.0'] });
    expect(await running.ok(SHELL, 0, 'write', { argv: ['diag', 'selftest'] })).toMatchObject({ ret: -5, o: expect.stringContaining('selftest: FAIL') });
  });

  it('answers unknown commands like Zephyr, and knows help and kernel', async () => {
    const t = await testDevice();
    expect(await t.ok(SHELL, 0, 'write', { argv: ['frobnicate', 'now'] })).toEqual({ o: 'frobnicate: command not found\r\n', ret: -8 });
    const help = await t.ok(SHELL, 0, 'write', { argv: ['help'] });
    expect(help.o).toMatch(/^Available commands:\r\n/);
    for (const name of ['diag', 'help', 'hwinfo', 'kernel']) expect(help.o).toContain(`  ${name}`);
    expect(await t.ok(SHELL, 0, 'write', { argv: ['kernel', 'version'] })).toEqual({ o: 'Zephyr version 3.7.0\r\n', ret: 0 });
    expect((await t.ok(SHELL, 0, 'write', { argv: ['kernel', 'uptime'] })).o).toMatch(/^Uptime: \d+ ms\r\n$/);
    const group = await t.ok(SHELL, 0, 'write', { argv: ['diag'] });
    expect(group).toMatchObject({ ret: 1 });
    expect(group.o).toMatch(/^diag - Gateway diagnostics\r\nSubcommands:\r\n/);
    expect((await t.ok(SHELL, 0, 'write', { argv: ['hwinfo', 'devid', 'extra'] })).ret).toBe(-22);
  });

  it('refuses empty and oversized command lines and wrong types', async () => {
    const t = await testDevice();
    expect(await t.call(SHELL, 0, 'write', { argv: [] })).toEqual({ kind: 'group-error', name: 'EMPTY_COMMAND' });
    expect(await t.call(SHELL, 0, 'write', { argv: ['x'.repeat(256)] })).toEqual({ kind: 'group-error', name: 'COMMAND_TOO_LONG' });
    expect(await t.call(SHELL, 0, 'write', { argv: 'hwinfo devid' })).toMatchObject({ kind: 'smp-error', name: 'EINVAL' });
    expect(await t.call(SHELL, 0, 'write', { argv: ['a', 1] })).toMatchObject({ kind: 'smp-error', name: 'EINVAL' });
    expect(await t.call(SHELL, 0, 'write', {})).toMatchObject({ kind: 'smp-error', name: 'EINVAL' });
    expect(await t.call(SHELL, 0, 'read', { argv: ['help'] })).toEqual({ kind: 'smp-error', name: 'ENOTSUP' });
  });

  it('splits a command line as the shell does and caps output at the dummy buffer', () => {
    expect(splitCommandLine('  a "b c"  d\\ e ')).toEqual(['a', 'b c', 'd e']);
    expect(captureOutput('x\n'.repeat(200))).toHaveLength(299);
  });
});
