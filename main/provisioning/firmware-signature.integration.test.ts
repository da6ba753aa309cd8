/**
 * Signed firmware only (issue #14), against virtual gateways over real ptys: a profile's firmware.signingKeys gate
 * the image before a byte is uploaded — the device's slot 1 is read before and after to prove it untouched — and a
 * passed run records the key that signed what it installed. Gateways started with `sim --require-signed` boot only
 * images signed with their built-in key, as MCUboot built with that key does.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewaySession } from '../device/session';
import { parseMcubootImage } from '../device/mcuboot-image';
import { loadProfile } from '../profiles/load';
import { initCa, openStationCa } from '../pki/station-ca';
import type { Signer } from '../pki/types';
import { readState, uploadImage, type ImageSlot } from '../smp/groups/image';
import { openStore } from '../store/store';
import type { Store } from '../store/types';
import { makeSignedImage, makeSigningKey } from '../testing/mcuboot-sign';
import { systemRunInputs } from '../testing/run-inputs';
import { spawnSimulator, type SpawnedSimulator } from '../testing/sim-process';
import { runProvisioning } from './runner';

const PASSPHRASE = 'integration-test-passphrase';
const trustedKey = makeSigningKey('ed25519');
const strangerKey = makeSigningKey('ed25519');
let work: string;
let signer: Signer;
let store: Store;
/** Gateways that check the SHA-256 only (0: untrusted signer, 1: trusted signer, 2: profile without keys). */
let plain: SpawnedSimulator;
/** Gateways whose MCUboot has trustedKey built in (0: unsigned image, 1: signed image). */
let requiring: SpawnedSimulator;

async function imageFile(name: string, bytes: Uint8Array): Promise<{ image: string; sha256: string }> {
  await writeFile(join(work, name), bytes);
  return { image: name, sha256: createHash('sha256').update(bytes).digest('hex') };
}

async function profile(name: string, firmware: { image: string; sha256: string }, keys: string[] | undefined): Promise<string> {
  const file = join(work, name);
  await writeFile(
    file,
    `apiVersion: fieldline/v1
name: ${name.replace('.yaml', '')}
version: 1.0.0
firmware:
  minVersion: 1.1.0
  image: ${firmware.image}
  sha256: ${firmware.sha256}
${keys ? `  signingKeys: [${keys.join(', ')}]\n` : ''}identity:
  subject: "CN={{ device.serial }},O=Test"
diagnostics:
  - { type: firmware-version, name: firmware, min: "1.1.0" }
`,
  );
  return file;
}

async function provision(port: string, file: string) {
  return runProvisioning({
    ...systemRunInputs,
    port,
    profile: await loadProfile(file),
    signer,
    store,
    station: { name: 'it' },
    variables: {},
    timeoutMs: 1000,
    rebootTimeoutMs: 15_000,
  });
}

async function withClient<T>(port: string, fn: (s: GatewaySession) => Promise<T>): Promise<T> {
  const s = await GatewaySession.openSerial(port, { timeoutMs: 1000 });
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

const slots = (port: string): Promise<ImageSlot[]> => withClient(port, (s) => readState(s.client));

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'fieldline-fwsig-'));
  await writeFile(join(work, 'trusted.pub.pem'), trustedKey.publicPem);
  await initCa(join(work, 'data'), { passphrase: PASSPHRASE });
  signer = await openStationCa(join(work, 'data'), PASSPHRASE);
  store = openStore(join(work, 'data'));
  [plain, requiring] = await Promise.all([
    spawnSimulator({ count: 3, baud: 0, extra: ['--delay', 'reboot=100'] }),
    spawnSimulator({ count: 2, baud: 0, extra: ['--delay', 'reboot=100', '--require-signed', join(work, 'trusted.pub.pem')] }),
  ]);
});

afterAll(async () => {
  store?.close();
  await Promise.all([plain?.stop(), requiring?.stop()]);
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the firmware gate with firmware.signingKeys', () => {
  it('refuses an image signed by an untrusted key at the firmware step, before any upload: slot 1 is untouched', async () => {
    const port = plain.gateways[0]!.port;
    // Slot 1 holds an earlier upload: any new upload would erase it first, so it shows whether one began.
    const earlier = makeSignedImage({ version: '1.0.5', key: trustedKey });
    await withClient(port, async (s) => uploadImage(s.client, earlier, await s.buffers()));
    const before = await slots(port);
    expect(before.find((x) => x.slot === 1)?.hash).toBe(Buffer.from(parseMcubootImage(earlier).hash as Uint8Array).toString('hex'));

    const fw = await imageFile('stranger.bin', makeSignedImage({ version: '1.1.0', key: strangerKey }));
    const record = await provision(port, await profile('untrusted.yaml', fw, ['trusted.pub.pem']));
    expect(record.outcome).toBe('failed');
    expect(record.steps.map((s) => [s.name, s.outcome])).toEqual([['identify', 'passed'], ['firmware', 'failed']]);
    expect(record.error?.code).toBe('FIRMWARE_KEY_UNTRUSTED');
    expect(record.error?.message).toContain(strangerKey.keyHash);
    expect(record.firmwareSignedBy).toBeUndefined();
    expect(await slots(port)).toEqual(before);
  });

  it('installs an image signed by a trusted key and records that key', async () => {
    const port = plain.gateways[1]!.port;
    const fw = await imageFile('trusted.bin', makeSignedImage({ version: '1.1.0', key: trustedKey }));
    const record = await provision(port, await profile('trusted.yaml', fw, ['trusted.pub.pem']));
    expect(record.outcome, record.error?.message).toBe('passed');
    expect(record.firmwareSignedBy).toEqual({ algorithm: 'ed25519', keyHash: trustedKey.keyHash });
    expect(record.steps.find((s) => s.name === 'firmware')?.evidence.signature).toEqual({
      algorithm: 'ed25519',
      keyHash: trustedKey.keyHash,
      key: join(work, 'trusted.pub.pem'),
    });
    expect((await slots(port)).find((x) => x.active)).toMatchObject({ version: '1.1.0', confirmed: true });
  });

  it('without signingKeys, installs as before and says the signature was not checked', async () => {
    const port = plain.gateways[2]!.port;
    const fw = await imageFile('unsigned.bin', makeSignedImage({ version: '1.1.0' }));
    const record = await provision(port, await profile('nokeys.yaml', fw, undefined));
    expect(record.outcome, record.error?.message).toBe('passed');
    expect(record.firmwareSignedBy).toBeUndefined();
    expect(record.steps.find((s) => s.name === 'firmware')?.evidence.signature).toMatch(/^not checked/);
  });
});

describe('sim --require-signed', () => {
  it('refuses to boot an unsigned image: the update fails and the device runs its old image, slot 1 erased', async () => {
    const port = requiring.gateways[0]!.port;
    const fw = await imageFile('unsigned-req.bin', makeSignedImage({ version: '1.1.0' }));
    const record = await provision(port, await profile('req-unsigned.yaml', fw, undefined));
    expect(record.outcome).toBe('failed');
    expect(record.error).toMatchObject({ code: 'FIRMWARE_UPDATE_FAILED', message: 'after the reset the device runs 1.0.0, not 1.1.0' });
    const after = await slots(port);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ version: '1.0.0', active: true, confirmed: true });
  });

  it('boots an image signed with its built-in key', async () => {
    const port = requiring.gateways[1]!.port;
    const fw = await imageFile('signed-req.bin', makeSignedImage({ version: '1.1.0', key: trustedKey }));
    const record = await provision(port, await profile('req-signed.yaml', fw, ['trusted.pub.pem']));
    expect(record.outcome, record.error?.message).toBe('passed');
    expect((await slots(port)).find((x) => x.active)).toMatchObject({ version: '1.1.0', confirmed: true });
  });
});
