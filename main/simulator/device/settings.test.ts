import { describe, expect, it } from 'vitest';
import { testDevice } from './test-support';

const SETTINGS = 3;
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('settings group', () => {
  it('loses a written value at reboot unless it was saved, like Zephyr', async () => {
    const t = await testDevice();
    await t.ok(SETTINGS, 0, 'write', { name: 'fieldline/endpoint', val: bytes('mqtts://a') });
    expect(await t.ok(SETTINGS, 0, 'read', { name: 'fieldline/endpoint' })).toEqual({ val: bytes('mqtts://a') });
    await t.device.boot();
    expect(await t.call(SETTINGS, 0, 'read', { name: 'fieldline/endpoint' })).toEqual({ kind: 'group-error', name: 'KEY_NOT_FOUND' });

    await t.ok(SETTINGS, 0, 'write', { name: 'fieldline/endpoint', val: bytes('mqtts://b') });
    await t.ok(SETTINGS, 3, 'write');
    await t.ok(SETTINGS, 0, 'write', { name: 'fieldline/endpoint', val: bytes('unsaved') });
    await t.ok(SETTINGS, 2, 'write');
    await t.device.boot();
    expect(await t.ok(SETTINGS, 0, 'read', { name: 'fieldline/endpoint' })).toEqual({ val: bytes('mqtts://b') });
  });

  it('load restores saved values over runtime ones; delete removes both', async () => {
    const t = await testDevice();
    await t.ok(SETTINGS, 0, 'write', { name: 'a/b', val: bytes('saved') });
    await t.ok(SETTINGS, 3, 'write');
    await t.ok(SETTINGS, 0, 'write', { name: 'a/b', val: bytes('changed') });
    await t.ok(SETTINGS, 3, 'read');
    expect(await t.ok(SETTINGS, 0, 'read', { name: 'a/b' })).toEqual({ val: bytes('saved') });
    await t.ok(SETTINGS, 1, 'write', { name: 'a/b' });
    expect(await t.call(SETTINGS, 0, 'read', { name: 'a/b' })).toEqual({ kind: 'group-error', name: 'KEY_NOT_FOUND' });
    expect(await t.call(SETTINGS, 1, 'write', { name: 'a/b' })).toEqual({ kind: 'group-error', name: 'KEY_NOT_FOUND' });
    await t.device.boot();
    expect(await t.call(SETTINGS, 0, 'read', { name: 'a/b' })).toEqual({ kind: 'group-error', name: 'KEY_NOT_FOUND' });
  });

  it('keeps saved values when the simulator restarts from the same directory', async () => {
    const first = await testDevice();
    await first.ok(SETTINGS, 0, 'write', { name: 'x', val: bytes('1') });
    await first.ok(SETTINGS, 3, 'write');
    const second = await testDevice({}, first.dir);
    expect(await second.ok(SETTINGS, 0, 'read', { name: 'x' })).toEqual({ val: bytes('1') });
  });

  it('checks names, sizes and types', async () => {
    const t = await testDevice();
    expect(await t.call(SETTINGS, 0, 'read', { name: 'k'.repeat(65) })).toEqual({ kind: 'group-error', name: 'KEY_TOO_LONG' });
    expect(await t.call(SETTINGS, 0, 'write', { name: 'k'.repeat(65), val: bytes('x') })).toEqual({
      kind: 'group-error',
      name: 'KEY_TOO_LONG',
    });
    await t.ok(SETTINGS, 0, 'write', { name: 'k'.repeat(64), val: bytes('x') });
    expect(await t.call(SETTINGS, 0, 'read', { name: '' })).toMatchObject({ kind: 'smp-error', name: 'EINVAL' });
    expect(await t.call(SETTINGS, 0, 'write', { name: 'x', val: 'text' })).toMatchObject({ kind: 'smp-error', name: 'EINVAL' });
    expect(await t.call(SETTINGS, 0, 'write', { name: 'x', val: new Uint8Array(300) })).toMatchObject({ kind: 'smp-error', name: 'EINVAL' });
    await t.ok(SETTINGS, 0, 'write', { name: 'long', val: bytes('0123456789') });
    expect(await t.ok(SETTINGS, 0, 'read', { name: 'long', max_size: 4 })).toEqual({ val: bytes('0123') });
    expect(await t.ok(SETTINGS, 0, 'read', { name: 'long', max_size: 1000 })).toEqual({ val: bytes('0123456789'), max_size: 256 });
    expect(await t.call(SETTINGS, 4, 'write')).toEqual({ kind: 'smp-error', name: 'ENOTSUP' });
  });
});
