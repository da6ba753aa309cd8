import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeMcubootImage, parseMcubootImage } from '../../device/mcuboot-image';
import { hex, imageState, sha256, testDevice, uploadImage, type TestDevice } from './test-support';

const FIXTURE = new Uint8Array(readFileSync(new URL('../../testing/fixtures/zephyr-hello_world.signed.bin', import.meta.url)));
const FIXTURE_HASH = '90a0d88baaa733640dab01fd8e9311dbe8ea1032966b6b286ef6ef772cc608cf';

const IMAGE = 1;
const v2 = makeMcubootImage({ version: '2.0.0', size: 6000 });
const v2Hash = parseMcubootImage(v2).hash as Uint8Array;

async function firstChunk(t: TestDevice, image: Uint8Array, bytes: number, extra = {}) {
  return t.call(IMAGE, 1, 'write', { image: 0, len: image.length, off: 0, sha: sha256(image), data: image.subarray(0, bytes), ...extra });
}

describe('image state read', () => {
  it('reports the synthetic running image of the configured version, confirmed and active', async () => {
    const t = await testDevice({ firmwareVersion: '1.4.2' });
    const images = await imageState(t);
    expect(images).toHaveLength(1);
    expect(images[0]).toMatchObject({ image: 0, slot: 0, version: '1.4.2', bootable: true, pending: false, confirmed: true, active: true, permanent: false });
    expect(hex(images[0]?.hash)).toBe(hex(t.device.state.slot(0)?.image?.hash));
    expect(t.device.state.slot(0)?.image?.hashValid).toBe(true);
  });
});

describe('image upload', () => {
  it('takes the real Zephyr image from a client that chunks it to the buffer and sends sha', async () => {
    const t = await testDevice({ bufSize: 384 });
    const result = await uploadImage(t, FIXTURE);
    expect(result.last).toEqual({ off: FIXTURE.length, match: true });
    expect(result.requests).toBeGreaterThan(60);
    expect(result.replies.slice(0, -1).every((r) => !('match' in r))).toBe(true);
    const images = await imageState(t);
    expect(images[1]).toMatchObject({ slot: 1, version: '0.0.0', pending: false, confirmed: false, active: false, bootable: true });
    expect(hex(images[1]?.hash)).toBe(FIXTURE_HASH);
    expect(t.device.stats.flash.bytes_written).toBe(FIXTURE.length);
  });

  it('answers match false when the sha sent does not fit the bytes, and omits nothing else', async () => {
    const t = await testDevice();
    const reply = await t.ok(IMAGE, 1, 'write', { len: v2.length, off: 0, sha: new Uint8Array(32), data: v2 });
    expect(reply).toEqual({ off: v2.length, match: false });
  });

  it('refuses a bad first chunk the way Zephyr does', async () => {
    const t = await testDevice();
    const expectErr = async (body: object, name: string) =>
      expect(await t.call(IMAGE, 1, 'write', body as never)).toEqual({ kind: 'group-error', name });
    await expectErr({ off: 0, data: v2.subarray(0, 100) }, 'INVALID_LENGTH');
    await expectErr({ off: 0, len: v2.length, data: v2.subarray(0, 31) }, 'INVALID_IMAGE_HEADER');
    await expectErr({ off: 0, len: v2.length, data: new Uint8Array(64) }, 'INVALID_IMAGE_HEADER_MAGIC');
    await expectErr({ len: v2.length, data: v2.subarray(0, 64) }, 'INVALID_OFFSET');
    await expectErr({ off: 0, len: 0x1000000, data: v2.subarray(0, 64) }, 'INVALID_IMAGE_TOO_LARGE');
    await expectErr({ off: 0, len: 40, data: v2.subarray(0, 64) }, 'INVALID_IMAGE_DATA_OVERRUN');
    const old = makeMcubootImage({ version: '1.0.0+9', size: 2000 });
    await expectErr({ off: 0, len: old.length, data: old.subarray(0, 64), upgrade: true }, 'CURRENT_VERSION_IS_NEWER');
    expect(await t.call(IMAGE, 1, 'write', { off: 'zero', data: v2 })).toMatchObject({ kind: 'smp-error', name: 'EINVAL' });
    expect(await t.call(IMAGE, 1, 'write', { off: 0, len: -1, data: v2 })).toMatchObject({ kind: 'smp-error', name: 'EINVAL' });
    expect(await firstChunk(t, v2, 200, { upgrade: true })).toEqual({ kind: 'ok', body: { off: 200 } });
  });

  it('drops a chunk at the wrong offset and names the one it expects', async () => {
    const t = await testDevice();
    expect(await firstChunk(t, v2, 100)).toEqual({ kind: 'ok', body: { off: 100 } });
    expect(await t.ok(IMAGE, 1, 'write', { off: 300, data: v2.subarray(300, 400) })).toEqual({ off: 100 });
    expect(await t.ok(IMAGE, 1, 'write', { off: 50, data: v2.subarray(50, 150) })).toEqual({ off: 100 });
    expect(await t.ok(IMAGE, 1, 'write', { off: 100, data: v2.subarray(100) })).toEqual({ off: v2.length, match: true });
    expect(hex(t.device.state.slot(1)?.bytes)).toBe(hex(v2));
  });

  it('refuses data past len and forgets the upload', async () => {
    const t = await testDevice();
    await firstChunk(t, v2, 100);
    expect(await t.call(IMAGE, 1, 'write', { off: 100, data: new Uint8Array(v2.length) })).toEqual({
      kind: 'group-error',
      name: 'INVALID_IMAGE_DATA_OVERRUN',
    });
    expect(await t.ok(IMAGE, 1, 'write', { off: 100, data: v2.subarray(100, 200) })).toEqual({ off: 0 });
  });

  it('resumes an interrupted upload when the first chunk carries the same sha and len', async () => {
    const t = await testDevice();
    await firstChunk(t, v2, 200);
    await t.ok(IMAGE, 1, 'write', { off: 200, data: v2.subarray(200, 1000) });
    expect(await firstChunk(t, v2, 200)).toEqual({ kind: 'ok', body: { off: 1000 } });
    expect(t.device.stats.flash.erases).toBe(0);
    expect(await t.ok(IMAGE, 1, 'write', { off: 1000, data: v2.subarray(1000) })).toEqual({ off: v2.length, match: true });
    // A different image restarts from zero.
    const other = makeMcubootImage({ version: '2.0.1', size: 3000 });
    expect(await firstChunk(t, other, 100)).toEqual({ kind: 'ok', body: { off: 100 } });
    expect(t.device.stats.flash.erases).toBe(1);
  });

  it('skips an upload whose bytes the slot already holds (image check)', async () => {
    const t = await testDevice();
    await uploadImage(t, v2);
    expect(await firstChunk(t, v2, 100)).toEqual({ kind: 'ok', body: { off: v2.length, match: true } });
  });

  it('answers off 0 to a later chunk after a reboot, so the client resends the first chunk', async () => {
    const t = await testDevice();
    await firstChunk(t, v2, 100);
    await t.device.boot();
    expect(await t.ok(IMAGE, 1, 'write', { off: 100, data: v2.subarray(100, 200) })).toEqual({ off: 0 });
    expect(await firstChunk(t, v2, 100)).toEqual({ kind: 'ok', body: { off: 100 } });
  });
});

describe('image state write, reboot and MCUboot swap', () => {
  async function uploaded(): Promise<TestDevice> {
    const t = await testDevice();
    await uploadImage(t, v2);
    return t;
  }

  it('test → reboot runs the new image unconfirmed → reboot reverts it', async () => {
    const t = await uploaded();
    const after = (await t.ok(IMAGE, 0, 'write', { hash: v2Hash, confirm: false })).images as object[];
    expect(after[1]).toMatchObject({ version: '2.0.0', pending: true, confirmed: false, permanent: false });
    expect(await t.device.boot()).toBe('test');
    let images = await imageState(t);
    expect(images[0]).toMatchObject({ version: '2.0.0', active: true, confirmed: false, pending: false });
    expect(images[1]).toMatchObject({ version: '1.0.0', confirmed: true, pending: false });
    expect(await t.device.boot()).toBe('reverted');
    images = await imageState(t);
    expect(images[0]).toMatchObject({ version: '1.0.0', active: true, confirmed: true });
    expect(images[1]).toMatchObject({ version: '2.0.0', confirmed: false, pending: false });
    expect(await t.device.boot()).toBe('none');
  });

  it('test → reboot → confirm keeps the new image for good', async () => {
    const t = await uploaded();
    await t.ok(IMAGE, 0, 'write', { hash: v2Hash, confirm: false });
    await t.device.boot();
    const confirmed = (await t.ok(IMAGE, 0, 'write', { confirm: true })).images as object[];
    expect(confirmed[0]).toMatchObject({ version: '2.0.0', confirmed: true, active: true });
    expect(confirmed[1]).toMatchObject({ version: '1.0.0', confirmed: false, pending: false });
    expect(await t.device.boot()).toBe('none');
    expect((await imageState(t))[0]).toMatchObject({ version: '2.0.0', confirmed: true });
  });

  it('hash with confirm true marks the image pending and permanent; it boots confirmed', async () => {
    const t = await uploaded();
    const images = (await t.ok(IMAGE, 0, 'write', { hash: v2Hash, confirm: true })).images as object[];
    expect(images[1]).toMatchObject({ pending: true, permanent: true, confirmed: false });
    expect(await t.device.boot()).toBe('perm');
    expect((await imageState(t))[0]).toMatchObject({ version: '2.0.0', confirmed: true });
    expect(await t.device.boot()).toBe('none');
  });

  it('refuses what Zephyr refuses', async () => {
    const t = await uploaded();
    const running = t.device.state.slot(0)?.image?.hash as Uint8Array;
    const call = (body: object) => t.call(IMAGE, 0, 'write', body as never);
    expect(await call({ hash: running, confirm: false })).toEqual({ kind: 'group-error', name: 'IMAGE_SETTING_TEST_TO_ACTIVE_DENIED' });
    expect(await call({ hash: new Uint8Array(32).fill(7) })).toEqual({ kind: 'group-error', name: 'HASH_NOT_FOUND' });
    expect(await call({ hash: new Uint8Array(5) })).toEqual({ kind: 'group-error', name: 'INVALID_HASH' });
    expect(await call({})).toEqual({ kind: 'group-error', name: 'INVALID_HASH' });
    expect(await call({ confirm: 'yes' })).toMatchObject({ kind: 'smp-error', name: 'EINVAL' });
    await call({ hash: v2Hash });
    // Once a test is pending: no second choice, no erase of the slot, no new upload into it.
    expect(await call({ confirm: true })).toEqual({ kind: 'group-error', name: 'IMAGE_ALREADY_PENDING' });
    expect(await call({ hash: v2Hash })).toMatchObject({ kind: 'ok' });
    expect(await t.call(IMAGE, 5, 'write', {})).toEqual({ kind: 'group-error', name: 'NO_FREE_SLOT' });
    expect(await firstChunk(t, v2, 100)).toEqual({ kind: 'group-error', name: 'NO_FREE_SLOT' });
  });

  it('erases a free secondary slot, never the primary', async () => {
    const t = await uploaded();
    expect(await t.call(IMAGE, 5, 'write', { slot: 0 })).toEqual({ kind: 'group-error', name: 'NO_FREE_SLOT' });
    expect(await t.call(IMAGE, 5, 'write', { slot: 2 })).toEqual({ kind: 'group-error', name: 'INVALID_SLOT' });
    expect(await t.ok(IMAGE, 5, 'write', {})).toEqual({});
    expect(await imageState(t)).toHaveLength(1);
  });

  it('does not boot a pending image that fails verification, and erases it', async () => {
    const t = await testDevice();
    const bad = v2.slice();
    bad[1000] = (bad[1000] as number) ^ 0xff;
    await uploadImage(t, bad);
    await t.ok(IMAGE, 0, 'write', { hash: v2Hash });
    expect(await t.device.boot()).toBe('rejected');
    const images = await imageState(t);
    expect(images).toHaveLength(1);
    expect(images[0]).toMatchObject({ version: '1.0.0', confirmed: true });
  });

  it('reports slot sizes, and ENOTSUP for commands and ops it lacks', async () => {
    const t = await testDevice({ slotSize: 0x40000 });
    expect(await t.ok(IMAGE, 6, 'read')).toEqual({
      images: [{ image: 0, slots: [{ slot: 0, size: 0x40000 }, { slot: 1, size: 0x40000, upload_image_id: 0 }] }],
    });
    expect(await t.call(IMAGE, 2, 'read')).toEqual({ kind: 'smp-error', name: 'ENOTSUP' });
    expect(await t.call(IMAGE, 1, 'read')).toEqual({ kind: 'smp-error', name: 'ENOTSUP' });
  });
});
