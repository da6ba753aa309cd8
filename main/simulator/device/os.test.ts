import { describe, expect, it } from 'vitest';
import { formatDatetime, parseDatetime } from './os';
import { testDevice } from './test-support';

const OS = 0;
const T0 = Date.UTC(2025, 4, 6, 7, 8, 9, 500);

describe('OS group', () => {
  it('echoes on read and write, and refuses a missing or non-text d', async () => {
    const t = await testDevice();
    expect(await t.ok(OS, 0, 'write', { d: 'Hello world!' })).toEqual({ r: 'Hello world!' });
    expect(await t.ok(OS, 0, 'read', { d: '' })).toEqual({ r: '' });
    expect(await t.call(OS, 0, 'write', {})).toMatchObject({ kind: 'smp-error', name: 'EINVAL' });
    expect(await t.call(OS, 0, 'write', { d: new Uint8Array(2) })).toMatchObject({ kind: 'smp-error', name: 'EINVAL' });
  });

  it('answers info with uname letters in Zephyr order, and INVALID_FORMAT for unknown ones', async () => {
    const t = await testDevice({ serial: '00A1', firmwareVersion: '1.2.3' });
    expect(await t.ok(OS, 7, 'read')).toEqual({ output: 'Zephyr' });
    expect(await t.ok(OS, 7, 'read', { format: 'rn' })).toEqual({ output: 'fieldline-gw-00A1 1.2.3' });
    const all = (await t.ok(OS, 7, 'read', { format: 'a' })).output as string;
    expect(all.split(' ')).toEqual(['Zephyr', 'fieldline-gw-00A1', '1.2.3', '3.7.0', '2025-01-15T09:30:00+0000', 'arm', 'cortex-m4', 'fieldline_gw@1.0', 'Zephyr']);
    expect(await t.call(OS, 7, 'read', { format: 'sx' })).toEqual({ kind: 'group-error', name: 'INVALID_FORMAT' });
  });

  it('reports buffer parameters and bootloader info', async () => {
    const t = await testDevice({ bufSize: 512, bufCount: 6 });
    expect(await t.ok(OS, 6, 'read')).toEqual({ buf_size: 512, buf_count: 6 });
    expect(await t.ok(OS, 8, 'read')).toEqual({ bootloader: 'MCUboot' });
    expect(await t.ok(OS, 8, 'read', { query: 'mode' })).toEqual({ mode: 3, 'no-downgrade': false });
    expect(await t.call(OS, 8, 'read', { query: 'colour' })).toEqual({ kind: 'group-error', name: 'QUERY_YIELDS_NO_ANSWER' });
  });

  it('keeps the RTC as an offset from the host clock, across a restart', async () => {
    let now = T0;
    const t = await testDevice({}, undefined, { now: () => now });
    expect(await t.ok(OS, 4, 'read')).toEqual({ datetime: '2025-05-06T07:08:09' });
    await t.ok(OS, 4, 'write', { datetime: '2030-01-02T03:04:05' });
    now += 10_000;
    expect(await t.ok(OS, 4, 'read')).toEqual({ datetime: '2030-01-02T03:04:15' });
    const again = await testDevice({}, t.dir, { now: () => now });
    expect(await again.ok(OS, 4, 'read')).toEqual({ datetime: '2030-01-02T03:04:15' });
    expect(await t.call(OS, 4, 'write', { datetime: '2030-02-31T00:00:00' })).toMatchObject({ kind: 'smp-error', name: 'EINVAL' });
    expect(await t.call(OS, 4, 'write', { datetime: 'tomorrow' })).toMatchObject({ kind: 'smp-error', name: 'EINVAL' });
    expect(parseDatetime('2024-03-01T10:20:30.250000+01:00')).toBe(Date.UTC(2024, 2, 1, 10, 20, 30, 250));
    expect(formatDatetime(Date.UTC(999, 0, 1))).toBe('0999-01-01T00:00:00');
  });

  it('asks the runtime to reboot on reset, after replying', async () => {
    const t = await testDevice();
    expect(await t.ok(OS, 5, 'write', {})).toEqual({});
    expect(t.reboots).toBe(1);
    expect(await t.call(OS, 5, 'read', {})).toEqual({ kind: 'smp-error', name: 'ENOTSUP' });
    expect(await t.call(OS, 1, 'write', {})).toEqual({ kind: 'smp-error', name: 'ENOTSUP' });
  });

  it('lists tasks and memory pools with the keys Zephyr uses', async () => {
    const t = await testDevice();
    const tasks = (await t.ok(OS, 2, 'read')).tasks as Record<string, Record<string, number>>;
    expect(Object.keys(tasks)).toContain('main');
    expect(Object.keys(tasks.main ?? {})).toEqual(['prio', 'tid', 'state', 'stkuse', 'stksiz', 'cswcnt', 'runtime', 'last_checkin', 'next_checkin']);
    const pools = await t.ok(OS, 3, 'read');
    expect(pools.heap).toEqual({ blksiz: 16, nblks: 1024, nfree: 611, min: 540 });
  });
});
