import { readFileSync } from 'node:fs';
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../contract/errors';
import { isFieldlineError } from '../errors';
import { makeSignedImage, makeSigningKey, type TestSigningKey } from '../testing/mcuboot-sign';
import { parseFirmwareKey, type FirmwareKey, type FirmwareKeyAlgorithm } from './firmware-keys';
import { makeMcubootImage, parseMcubootImage } from './mcuboot-image';
import { readSigningKey, signMcubootImage } from './mcuboot-sign';
import { verifyMcubootImage } from './mcuboot-signature';
import { TLV } from './mcuboot-tlv';

const fixture = (name: string): URL => new URL(`../testing/fixtures/${name}`, import.meta.url);
const IMAGE = new Uint8Array(readFileSync(fixture('zephyr-hello_world.signed.bin')));
const ROOT_PEM = readFileSync(fixture('mcuboot-root-rsa-2048.pub.pem'), 'utf8');
const ROOT = parseFirmwareKey(ROOT_PEM, 'mcuboot-root-rsa-2048.pub.pem');

function refusal(fn: () => unknown): { code: ErrorCode; message: string } {
  try {
    fn();
  } catch (err) {
    if (!isFieldlineError(err)) throw err;
    return { code: err.code, message: err.message };
  }
  throw new Error('expected a refusal');
}

const trusted = (k: TestSigningKey): FirmwareKey => parseFirmwareKey(k.publicPem, `${k.algorithm}.pub.pem`);
const flip = (bytes: Uint8Array, at: number): Uint8Array => {
  const copy = bytes.slice();
  copy[at] = (copy[at] as number) ^ 0x01;
  return copy;
};

describe('the real MCUboot image signed with the development RSA-2048 key', () => {
  it('hashes the key as the fixture README says: the PKCS#1 RSAPublicKey DER', () => {
    expect(ROOT).toMatchObject({ algorithm: 'rsa-2048', keyHash: 'fc5701dc6135e1323847bdc40f04d2e5bee5833b23c29f93593d00018cfa9994' });
  });

  it('takes the same key as PKCS#1 "RSA PUBLIC KEY" PEM', () => {
    const pkcs1 = createPublicKey(ROOT_PEM).export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(parseFirmwareKey(pkcs1, 'pkcs1').keyHash).toBe(ROOT.keyHash);
  });

  it('verifies, naming the key and the image hash', () => {
    const result = verifyMcubootImage(IMAGE, [ROOT]);
    expect(result).toMatchObject({
      algorithm: 'rsa-2048',
      keyHash: ROOT.keyHash,
      hash: '90a0d88baaa733640dab01fd8e9311dbe8ea1032966b6b286ef6ef772cc608cf',
      version: '0.0.0+0',
    });
  });

  it('refuses it under another key, naming the key hash it carries', () => {
    const other = trusted(makeSigningKey('rsa-2048'));
    const r = refusal(() => verifyMcubootImage(IMAGE, [other]));
    expect(r.code).toBe('FIRMWARE_KEY_UNTRUSTED');
    expect(r.message).toContain(ROOT.keyHash);
  });

  it('refuses one changed byte in the body (hash), in the signature, and in the key hash', () => {
    expect(refusal(() => verifyMcubootImage(flip(IMAGE, 1000), [ROOT])).code).toBe('FIRMWARE_HASH_MISMATCH');
    expect(refusal(() => verifyMcubootImage(flip(IMAGE, 20), [ROOT])).code).toBe('FIRMWARE_HASH_MISMATCH');
    // TLV area at 25,204: info (4), SHA-256 (4+32), KEYHASH (4+32), then the signature's head (4).
    expect(refusal(() => verifyMcubootImage(flip(IMAGE, 25204 + 4 + 36 + 36 + 4 + 100), [ROOT])).code).toBe('FIRMWARE_SIGNATURE_INVALID');
    expect(refusal(() => verifyMcubootImage(flip(IMAGE, 25204 + 4 + 36 + 4 + 3), [ROOT])).code).toBe('FIRMWARE_KEY_UNTRUSTED');
  });
});

describe('images signed in the test with each algorithm MCUboot supports', () => {
  const algorithms: FirmwareKeyAlgorithm[] = ['ecdsa-p256', 'ed25519', 'rsa-3072', 'rsa-2048'];
  const keys = new Map(algorithms.map((a) => [a, makeSigningKey(a)]));
  const key = (a: FirmwareKeyAlgorithm): TestSigningKey => keys.get(a) as TestSigningKey;

  it.each(algorithms)('%s: verifies with its key, not with another of the same algorithm', (algorithm) => {
    const image = makeSignedImage({ version: '2.0.0', key: key(algorithm) });
    const result = verifyMcubootImage(image, [trusted(makeSigningKey('ed25519')), trusted(key(algorithm))]);
    expect(result).toMatchObject({ algorithm, keyHash: key(algorithm).keyHash, version: '2.0.0+0' });
    expect(result.hash).toBe(Buffer.from(parseMcubootImage(image).hash as Uint8Array).toString('hex'));
    const stranger = makeSigningKey(algorithm);
    expect(refusal(() => verifyMcubootImage(image, [trusted(stranger)])).code).toBe('FIRMWARE_KEY_UNTRUSTED');
  });

  it.each(algorithms)('%s: a changed signature byte is a bad signature', (algorithm) => {
    const image = makeSignedImage({ version: '2.0.0', key: key(algorithm) });
    const r = refusal(() => verifyMcubootImage(flip(image, image.length - 10), [trusted(key(algorithm))]));
    expect(r.code).toBe('FIRMWARE_SIGNATURE_INVALID');
    expect(r.message).toContain('does not verify');
  });

  it('takes an ECDSA signature zero-padded to 72 bytes (imgtool --pad-sig), not one padded with anything else', () => {
    const k = key('ecdsa-p256');
    const padded = makeSignedImage({ version: '2.0.0', key: k, padSignature: true });
    expect(verifyMcubootImage(padded, [trusted(k)]).algorithm).toBe('ecdsa-p256');
    const last = padded.length - 1;
    expect(padded[last]).toBe(0);
    expect(refusal(() => verifyMcubootImage(flip(padded, last), [trusted(k)])).code).toBe('FIRMWARE_SIGNATURE_INVALID');
  });

  it('signs Ed25519 over the SHA-256 digest, as MCUboot verifies it', () => {
    const k = key('ed25519');
    const image = makeSignedImage({ version: '2.0.0', key: k });
    const parsed = parseMcubootImage(image);
    const signature = parsed.tlvs.find((t) => t.type === TLV.ED25519)?.data as Uint8Array;
    expect(verify(null, parsed.hash as Uint8Array, k.privateKey, signature)).toBe(true);
  });

  it('covers the protected TLVs: changing one fails the image', () => {
    const k = key('ecdsa-p256');
    const secCnt = new Uint8Array([7, 0, 0, 0]);
    const image = makeSignedImage({ version: '2.0.0', key: k, protectedTlvs: [{ type: TLV.SEC_CNT, data: secCnt }] });
    expect(verifyMcubootImage(image, [trusted(k)]).algorithm).toBe('ecdsa-p256');
    const protStart = parseMcubootImage(image).tlvOffset;
    // The security counter's value: info header (4) + TLV head (4).
    expect(refusal(() => verifyMcubootImage(flip(image, protStart + 8), [trusted(k)])).code).toBe('FIRMWARE_HASH_MISMATCH');
  });

  it('refuses a key that signed with another algorithm than its own', () => {
    const rsa = key('rsa-2048');
    const image = makeSignedImage({ version: '2.0.0', key: rsa });
    // An RSA-2048 signature TLV under a KEYHASH naming a trusted Ed25519 key.
    const ed = trusted(key('ed25519'));
    const swapped = image.slice();
    const at = parseMcubootImage(image).tlvs.find((t) => t.type === TLV.KEYHASH)?.offset as number;
    swapped.set(Buffer.from(ed.keyHash, 'hex'), at + 4);
    const r = refusal(() => verifyMcubootImage(swapped, [ed]));
    expect(r.code).toBe('FIRMWARE_SIGNATURE_INVALID');
    expect(r.message).toContain('RSA2048_PSS signature cannot be made by');
  });
});

describe('refusals of unsigned and malformed images', () => {
  const k = makeSigningKey('ed25519');

  it('an image with only its SHA-256 is unsigned', () => {
    const r = refusal(() => verifyMcubootImage(makeMcubootImage({ version: '2.0.0', size: 8192 }), [trusted(k)]));
    expect(r.code).toBe('FIRMWARE_UNSIGNED');
  });

  it('a security counter outside the protected area is refused, as MCUboot does', () => {
    const image = makeSignedImage({ version: '2.0.0', key: k, extraTlvs: [{ type: TLV.SEC_CNT, data: new Uint8Array(4) }] });
    const r = refusal(() => verifyMcubootImage(image, [trusted(k)]));
    expect(r.code).toBe('FIRMWARE_IMAGE_MALFORMED');
    expect(r.message).toMatch(/SEC_CNT .* outside the protected area/);
  });

  it('a pure-mode image (SIG_PURE) is named as unsupported, not reported as a bad signature', () => {
    const image = makeSignedImage({ version: '2.0.0', key: k, protectedTlvs: [{ type: TLV.SIG_PURE, data: new Uint8Array([1]) }] });
    const r = refusal(() => verifyMcubootImage(image, [trusted(k)]));
    expect(r.code).toBe('FIRMWARE_SIGNATURE_INVALID');
    expect(r.message).toContain('pure mode');
  });

  it('a signature with no KEYHASH before it is malformed', () => {
    const image = makeSignedImage({ version: '2.0.0', extraTlvs: [{ type: TLV.ED25519, data: new Uint8Array(64) }] });
    expect(refusal(() => verifyMcubootImage(image, [trusted(k)])).code).toBe('FIRMWARE_IMAGE_MALFORMED');
  });

  it('truncated images and hostile lengths are refused cleanly, never read past the end', () => {
    const image = makeSignedImage({ version: '2.0.0', key: k });
    const tlvStart = parseMcubootImage(image).tlvOffset;
    const cases: Array<[string, Uint8Array]> = [
      ['empty', new Uint8Array(0)],
      ['header only', image.subarray(0, 32)],
      ['cut inside the body', image.subarray(0, 600)],
      ['cut inside the TLVs', image.subarray(0, image.length - 5)],
      ['cut after the TLV info header', image.subarray(0, tlvStart + 4)],
    ];
    const hostile = (at: number, value: number, width: 2 | 4): Uint8Array => {
      const copy = image.slice();
      const v = new DataView(copy.buffer);
      if (width === 2) v.setUint16(at, value, true);
      else v.setUint32(at, value, true);
      return copy;
    };
    cases.push(['image size 0xffffffff', hostile(12, 0xffffffff, 4)]);
    cases.push(['header size 0xffff', hostile(8, 0xffff, 2)]);
    cases.push(['protected size with no protected area', hostile(10, 0x40, 2)]);
    cases.push(['TLV total 0xffff', hostile(tlvStart + 2, 0xffff, 2)]);
    cases.push(['TLV total 2', hostile(tlvStart + 2, 2, 2)]);
    cases.push(['a TLV length past its area', hostile(tlvStart + 4 + 2, 0xfff0, 2)]);
    for (const [name, bytes] of cases) {
      expect(refusal(() => verifyMcubootImage(bytes, [trusted(k)])).code, name).toBe('FIRMWARE_IMAGE_MALFORMED');
    }
  });
});

describe('parseFirmwareKey', () => {
  it('refuses a private key, a certificate-like block, two keys, an unsupported curve, RSA-1024 and oversized text', () => {
    const ed = makeSigningKey('ed25519');
    const privatePem = ed.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const cases: Array<[string, string, RegExp]> = [
      ['private', privatePem, /PRIVATE KEY.*public key only/],
      ['two', ed.publicPem + ed.publicPem, /2 PEM blocks/],
      ['none', 'hello', /no PEM block/],
      ['p384', p384, /secp384r1/],
      ['rsa1024', rsa1024, /1024 bits/],
      ['huge', ed.publicPem + ' '.repeat(20_000), /at most 16384/],
      ['garbage', '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n', /not a readable public key/],
    ];
    for (const [name, pem, message] of cases) {
      const r = refusal(() => parseFirmwareKey(pem, name));
      expect(r.code, name).toBe('FIRMWARE_KEY_INVALID');
      expect(r.message, name).toMatch(message);
    }
  });
});

describe('signMcubootImage (sim make-image --sign-key)', () => {
  it.each(['ed25519', 'ecdsa-p256', 'rsa-2048'] as const)('%s: signs as imgtool does, and the verifier accepts it', (algorithm) => {
    const k = makeSigningKey(algorithm);
    const unsigned = makeMcubootImage({ version: '1.2.3', size: 8192 });
    const signed = signMcubootImage(unsigned, k.privateKey, 'k.pem');
    const result = verifyMcubootImage(signed, [trusted(k)]);
    expect(result).toMatchObject({ algorithm, keyHash: k.keyHash, version: '1.2.3+0' });
    // The signed region is untouched, so the image hash the device reports is the unsigned image's.
    expect(result.hash).toBe(Buffer.from(parseMcubootImage(unsigned).hash as Uint8Array).toString('hex'));
  });

  it('re-signs the real image with another key: the old signature is replaced, the hash kept', () => {
    const k = makeSigningKey('ed25519');
    const resigned = signMcubootImage(IMAGE, k.privateKey);
    expect(verifyMcubootImage(resigned, [trusted(k)]).hash).toBe('90a0d88baaa733640dab01fd8e9311dbe8ea1032966b6b286ef6ef772cc608cf');
    expect(refusal(() => verifyMcubootImage(resigned, [ROOT])).code).toBe('FIRMWARE_KEY_UNTRUSTED');
  });

  it('refuses an encrypted private key and a public key', () => {
    const k = makeSigningKey('ed25519');
    const encrypted = k.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }).toString();
    expect(refusal(() => readSigningKey(encrypted, 'enc.pem')).code).toBe('FIRMWARE_KEY_INVALID');
    expect(refusal(() => readSigningKey(k.publicPem, 'pub.pem')).code).toBe('FIRMWARE_KEY_INVALID');
  });
});
