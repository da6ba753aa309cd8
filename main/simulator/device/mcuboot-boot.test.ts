/**
 * The virtual MCUboot with built-in signing keys (`sim --require-signed`): like a real MCUboot built with a key, it
 * takes any upload and any test mark, then at the reset boots only an image whose signature verifies; any other is
 * erased from the secondary slot and the old image runs on (boot_validate_slot).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFirmwareKey } from '../../device/firmware-keys';
import { parseMcubootImage } from '../../device/mcuboot-image';
import { makeSignedImage, makeSigningKey } from '../../testing/mcuboot-sign';
import { imageState, testDevice, uploadImage } from './test-support';

const IMAGE = 1;
const builtIn = makeSigningKey('ecdsa-p256');
const bootKeys = [parseFirmwareKey(builtIn.publicPem, 'built-in')];

async function uploadAndTest(image: Uint8Array, config = { bootKeys }) {
  const t = await testDevice(config);
  await uploadImage(t, image);
  await t.ok(IMAGE, 0, 'write', { hash: parseMcubootImage(image).hash as Uint8Array });
  return t;
}

describe('MCUboot with a built-in signing key', () => {
  it('boots an image signed with its key', async () => {
    const t = await uploadAndTest(makeSignedImage({ version: '2.0.0', key: builtIn }));
    expect(await t.device.boot()).toBe('test');
    expect((await imageState(t))[0]).toMatchObject({ version: '2.0.0', active: true, confirmed: false });
  });

  it('takes an unsigned image and its test mark, then refuses to boot it: the slot is erased, the old image runs on', async () => {
    const t = await uploadAndTest(makeSignedImage({ version: '2.0.0' }));
    expect((await imageState(t))[1]).toMatchObject({ slot: 1, version: '2.0.0', pending: true });
    expect(await t.device.boot()).toBe('rejected');
    const images = await imageState(t);
    expect(images).toHaveLength(1);
    expect(images[0]).toMatchObject({ version: '1.0.0', active: true, confirmed: true });
    expect(t.device.state.slot(1)).toBeUndefined();
  });

  it('refuses an image signed by another key and the real image signed with the RSA development key', async () => {
    const other = await uploadAndTest(makeSignedImage({ version: '2.0.0', key: makeSigningKey('ecdsa-p256') }));
    expect(await other.device.boot()).toBe('rejected');
    const fixture = new Uint8Array(readFileSync(new URL('../../testing/fixtures/zephyr-hello_world.signed.bin', import.meta.url)));
    const real = await uploadAndTest(fixture);
    expect(await real.device.boot()).toBe('rejected');
  });

  it('without built-in keys, boots an unsigned image as before', async () => {
    const t = await uploadAndTest(makeSignedImage({ version: '2.0.0' }), { bootKeys: [] });
    expect(await t.device.boot()).toBe('test');
  });
});
