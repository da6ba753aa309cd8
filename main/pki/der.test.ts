import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createECDH, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { expectTlv, readTlv } from './der';
import { subjectKeyId, subjectPublicKeyBits } from './issue';
import { x509Crypto } from './x509-crypto';

const P256_COMPRESSED_SPKI_PREFIX = Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex');

describe('DER element reader', () => {
  it('reads short and long lengths and refuses what runs past the end', () => {
    expect(readTlv(Uint8Array.from([0x04, 0x02, 0xaa, 0xbb]), 0)).toEqual({ tag: 4, start: 0, content: 2, end: 4 });
    const long = Uint8Array.from([0x04, 0x82, 0x01, 0x2c, ...new Uint8Array(300)]);
    expect(readTlv(long, 0)).toMatchObject({ content: 4, end: 304 });
    expect(() => readTlv(Uint8Array.from([0x04, 0x05, 0x00]), 0)).toThrow(/past the end/);
    expect(() => readTlv(Uint8Array.from([0x04, 0x80]), 0)).toThrow(/length form/);
    expect(() => readTlv(Uint8Array.from([0x04]), 0)).toThrow(/no element/);
    expect(() => expectTlv(Uint8Array.from([0x04, 0x00]), 0, 0x30)).toThrow(/expected tag 0x30/);
  });
});

describe('subject key identifier', () => {
  it('is the one @peculiar/x509 computes, for P-256, P-384 and a compressed P-256 point', async () => {
    const spkis = [
      generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'der' }),
      generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ type: 'spki', format: 'der' }),
    ].map((b) => new Uint8Array(b));
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    spkis.push(new Uint8Array(Buffer.concat([P256_COMPRESSED_SPKI_PREFIX, ecdh.getPublicKey(undefined, 'compressed')])));
    for (const spki of spkis) {
      const theirs = await x509.SubjectKeyIdentifierExtension.create(spki, false, x509Crypto);
      expect(Buffer.from(subjectKeyId(spki)).toString('hex')).toBe(theirs.keyId);
    }
    expect(subjectPublicKeyBits(spkis[2]!)).toHaveLength(33);
  });

  it('refuses an SPKI whose key bits are missing or malformed', () => {
    expect(() => subjectPublicKeyBits(Uint8Array.from([0x30, 0x02, 0x30, 0x00]))).toThrow(/no element|expected tag/);
    expect(() => subjectPublicKeyBits(Uint8Array.from([0x30, 0x06, 0x30, 0x00, 0x03, 0x02, 0x01, 0xff]))).toThrow(/whole number of bytes/);
  });
});
