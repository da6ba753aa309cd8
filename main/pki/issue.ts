/**
 * What a device certificate looks like: the end-entity profile the station CA signs. Kept apart from the CA's file
 * handling so the certificate's shape can be read (and reviewed) in one place.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createHash, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { FieldlineError } from '../errors';
import type { IssueRequest } from './types';
import { bitString, BIT_STRING, BOOLEAN, ecdsaSignatureDer, expectTlv, NULL, OCTET_STRING, oid, SEQUENCE, sequence, time, tlv, unsignedInteger } from './der';
import { parseDistinguishedName } from './dn';
import { describeKey, publicKeyFromSpki, x509Crypto, type CaSigningKey, type SigningAlgorithm } from './x509-crypto';

/** Devices and stations disagree on the time by minutes; a certificate valid only from "now" would fail on them. */
export const CLOCK_SKEW_MS = 5 * 60_000;
const DAY_MS = 86_400_000;
/** Longest device certificate a profile may ask for (about 30 years): beyond that a typo is likelier than intent. */
export const MAX_VALIDITY_DAYS = 11_000;

/**
 * A random 128-bit positive serial, lower-case hex (32 digits). The top bit is set so every serial has the same
 * length, which leaves 127 random bits — RFC 5280 allows up to 20 octets, CA/B Forum asks for at least 64 random bits.
 */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] as number) | 0x80;
  return bytes.toString('hex');
}

/** "DNS:gw.example", "URI:urn:dev:…", "IP:10.0.0.1", "email:ops@example" → the JSON x509 takes. */
export function parseSans(sans: readonly string[]): x509.JsonGeneralNames {
  return sans.map((san) => {
    const colon = san.indexOf(':');
    const kind = san.slice(0, colon).trim().toLowerCase();
    const value = san.slice(colon + 1).trim();
    const bad = (why: string) => new FieldlineError('INVALID_ARGUMENT', `subject alternative name "${san}": ${why}`);
    if (colon < 0 || value.length === 0) throw bad('write it as DNS:…, URI:…, IP:… or email:…');
    switch (kind) {
      case 'dns':
        if (!/^(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.?$/.test(value)) throw bad('not a DNS name');
        return { type: 'dns', value };
      case 'uri':
        if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(value)) throw bad('not an absolute URI');
        return { type: 'url', value };
      case 'ip':
        if (isIP(value) === 0) throw bad('not an IPv4 or IPv6 address');
        return { type: 'ip', value };
      case 'email':
        if (!/^[^@\s]+@[^@\s]+$/.test(value)) throw bad('not an e-mail address');
        return { type: 'email', value };
      default:
        throw bad(`unknown kind "${kind}" (DNS, URI, IP or email)`);
    }
  });
}

export interface LeafParams {
  request: IssueRequest;
  issuer: x509.X509Certificate;
  key: CaSigningKey;
  now: Date;
  /** Tests fix it; otherwise randomSerial(). */
  serial?: string;
}

/** A signed device certificate, with what was put in it (times as encoded: whole seconds). */
export interface LeafCertificate {
  der: Uint8Array;
  /** Lower-case hex, as randomSerial() makes it. */
  serial: string;
  subject: x509.Name;
  notBefore: Date;
  notAfter: Date;
}

/**
 * The subjectPublicKey BIT STRING of an SPKI (DER), without its unused-bits byte: what RFC 5280 §4.2.1.2 method 1
 * hashes for a key identifier. Called on an SPKI that createPublicKey has accepted.
 */
export function subjectPublicKeyBits(spki: Uint8Array): Uint8Array {
  const info = expectTlv(spki, 0, SEQUENCE);
  const algorithm = expectTlv(spki, info.content, SEQUENCE);
  const bits = expectTlv(spki, algorithm.end, BIT_STRING);
  if (bits.end - bits.content < 1 || spki[bits.content] !== 0) throw new Error('SPKI: the public key is not a whole number of bytes');
  return spki.subarray(bits.content + 1, bits.end);
}

/**
 * The subject key identifier's bytes: SHA-1 of the subjectPublicKey BIT STRING's contents (RFC 5280 method 1), as
 * @peculiar/x509 computes keyId, hashed here synchronously: its own create() parses the SPKI again and sends a
 * 65-byte SHA-1 through WebCrypto's thread pool.
 */
export function subjectKeyId(spki: Uint8Array): Uint8Array {
  return createHash('sha1').update(subjectPublicKeyBits(spki)).digest();
}

/** The issuer's own key identifier when it has one, so the AKI matches its SKI even if the CA computed it differently. */
export async function authorityKeyIdentifier(issuer: x509.X509Certificate): Promise<x509.AuthorityKeyIdentifierExtension> {
  const ski = issuer.getExtension(x509.SubjectKeyIdentifierExtension);
  return ski ? new x509.AuthorityKeyIdentifierExtension(ski.keyId) : x509.AuthorityKeyIdentifierExtension.create(issuer.publicKey, false, x509Crypto);
}

/**
 * Builds and signs the end-entity certificate. Encoded here, field by field, rather than by @peculiar/x509's
 * generator: the certificate has one fixed shape, and the generator serialized it through its ASN.1 schema and then
 * parsed the result back — several milliseconds a certificate, on the event loop every run waits on, 64 times in a
 * row when a hub full of gateways reaches this step together. The bytes are the ones the generator produces for the
 * same inputs (issue.test.ts compares them).
 */
export async function buildLeafCertificate(params: LeafParams): Promise<LeafCertificate> {
  const { request, issuer, key, now } = params;
  const subject = parseDistinguishedName(request.subject);
  if (!subject) throw new FieldlineError('INVALID_ARGUMENT', `subject "${request.subject}" is not an RFC 4514 name such as CN=GW-0001,O=Acme`);
  const days = request.validityDays;
  if (!Number.isInteger(days) || days < 1 || days > MAX_VALIDITY_DAYS) {
    throw new FieldlineError('INVALID_ARGUMENT', `validity must be 1 to ${MAX_VALIDITY_DAYS} days, not ${days}`);
  }
  // A copy: x509 reads the whole ArrayBuffer behind a view, and a Buffer slice may sit in a larger pool.
  const spki = new Uint8Array(request.publicKeySpki);
  let keyType: string;
  try {
    keyType = describeKey(publicKeyFromSpki(spki));
  } catch (err) {
    throw new FieldlineError('INVALID_ARGUMENT', 'the device public key is not an SPKI public key', {}, { cause: err });
  }
  // keyAgreement (ECDH) only means something for EC keys; the device identities Fieldline handles are P-256.
  if (keyType !== 'EC P-256') throw new FieldlineError('INVALID_ARGUMENT', `device keys must be EC P-256, not ${keyType}`);

  const notBefore = new Date(now.getTime() - CLOCK_SKEW_MS);
  const notAfter = new Date(now.getTime() + days * DAY_MS);
  if (now < issuer.notBefore || now > issuer.notAfter) {
    throw new FieldlineError('CA_VALIDITY', `the station intermediate is valid ${issuer.notBefore.toISOString()} to ${issuer.notAfter.toISOString()}`);
  }
  // Like Vault's default: refuse rather than silently cut the validity the profile promised.
  if (notAfter > issuer.notAfter) {
    throw new FieldlineError('CA_VALIDITY', `a ${days}-day certificate would outlive the station intermediate (valid until ${issuer.notAfter.toISOString()})`);
  }

  const serial = params.serial ?? randomSerial();
  const tbs = leafTbs({ serial, subject, issuer: await issuerParts(issuer), notBefore, notAfter, spki, sans: parseSans(request.sans), algorithm: key.algorithm });
  const signature = await key.sign(tbs);
  const der = sequence(tbs, algorithmIdentifier(key.algorithm), bitString(key.algorithm.name === 'ECDSA' ? ecdsaSignatureDer(signature) : signature));
  return { der, serial, subject, notBefore: wholeSeconds(notBefore), notAfter: wholeSeconds(notAfter) };
}

const wholeSeconds = (d: Date): Date => new Date(Math.floor(d.getTime() / 1000) * 1000);

const SIGNATURE_OIDS: Record<string, string> = {
  'SHA-256': '1.2.840.10045.4.3.2',
  'SHA-384': '1.2.840.10045.4.3.3',
  'SHA-512': '1.2.840.10045.4.3.4',
};

/** The certificate's signature AlgorithmIdentifier: ecdsa-with-SHA2 (no parameters) or sha256WithRSAEncryption (NULL). */
function algorithmIdentifier(algorithm: SigningAlgorithm): Uint8Array {
  if (algorithm.name === 'ECDSA') {
    const dotted = SIGNATURE_OIDS[algorithm.hash.toUpperCase()];
    if (!dotted) throw new FieldlineError('CA_FILES_INVALID', `the station CA signs with ECDSA/${algorithm.hash}, which certificates do not carry`);
    return sequence(oid(dotted));
  }
  return sequence(oid('1.2.840.113549.1.1.11'), tlv(NULL, new Uint8Array(0)));
}

/** What every certificate of one issuer shares, worked out once per intermediate (a station has one). */
interface IssuerParts {
  name: Uint8Array;
  keyId: Uint8Array;
}

// Per-instance, not module-global: derived from an immutable certificate object and gone with it.
const issuerCache = new WeakMap<x509.X509Certificate, Promise<IssuerParts>>();

function issuerParts(issuer: x509.X509Certificate): Promise<IssuerParts> {
  let parts = issuerCache.get(issuer);
  if (!parts) {
    parts = (async () => {
      const keyId = (await authorityKeyIdentifier(issuer)).keyId;
      if (!keyId) throw new FieldlineError('CA_FILES_INVALID', 'the station intermediate has no key identifier to name it by');
      return { name: new Uint8Array(issuer.subjectName.toArrayBuffer()), keyId: Buffer.from(keyId, 'hex') };
    })();
    issuerCache.set(issuer, parts);
  }
  return parts;
}

/** An iPAddress name's bytes: 4 for IPv4, 16 for IPv6 (parseSans has checked the text with isIP). */
export function ipBytes(text: string): Uint8Array {
  if (isIP(text) === 4) return Uint8Array.from(text.split('.').map(Number));
  let head = text;
  let tail = '';
  if (text.includes('::')) [head, tail] = text.split('::') as [string, string];
  const groups = (part: string): number[] => {
    if (part === '') return [];
    const pieces = part.split(':');
    const last = pieces.at(-1) as string;
    // An IPv4 tail (::ffff:10.0.0.1) is the last two groups.
    if (last.includes('.')) {
      const [a, b, c, d] = last.split('.').map(Number) as [number, number, number, number];
      return [...pieces.slice(0, -1).map((g) => parseInt(g, 16)), (a << 8) | b, (c << 8) | d];
    }
    return pieces.map((g) => parseInt(g, 16));
  };
  const front = groups(head);
  const back = groups(tail);
  const all = [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
  return Uint8Array.from(all.flatMap((g) => [g >> 8, g & 0xff]));
}

const ASCII = /^[\x20-\x7e]*$/;

/** SubjectAltName's GeneralNames; DNS names, URIs and e-mail addresses are IA5String, so ASCII only (RFC 5280). */
function generalNames(sans: x509.JsonGeneralNames): Uint8Array {
  return sequence(
    ...sans.map((san) => {
      if (san.type !== 'ip' && !ASCII.test(san.value)) {
        throw new FieldlineError('INVALID_ARGUMENT', `subject alternative name "${san.value}": DNS names, URIs and e-mail addresses must be ASCII (punycode for international names)`);
      }
      switch (san.type) {
        case 'email':
          return tlv(0x81, Buffer.from(san.value, 'latin1'));
        case 'dns':
          return tlv(0x82, Buffer.from(san.value, 'latin1'));
        case 'url':
          return tlv(0x86, Buffer.from(san.value, 'latin1'));
        case 'ip':
          return tlv(0x87, ipBytes(san.value));
        default:
          throw new FieldlineError('INVALID_ARGUMENT', `subject alternative name of type ${san.type} is not supported`);
      }
    }),
  );
}

const extension = (dotted: string, critical: boolean, value: Uint8Array): Uint8Array =>
  sequence(oid(dotted), ...(critical ? [tlv(BOOLEAN, Uint8Array.of(0xff))] : []), tlv(OCTET_STRING, value));

/** digitalSignature (bit 0) and keyAgreement (bit 4): 10001000, three unused bits. */
const KEY_USAGE_BITS = Uint8Array.of(0x03, 0x02, 0x03, 0x88);

export interface TbsParts {
  serial: string;
  subject: x509.Name;
  issuer: IssuerParts;
  notBefore: Date;
  notAfter: Date;
  spki: Uint8Array;
  sans: x509.JsonGeneralNames;
  algorithm: SigningAlgorithm;
}

/** The TBSCertificate of a device certificate (RFC 5280 §4.1), DER. */
export function leafTbs(parts: TbsParts): Uint8Array {
  const extensions = [
    extension('2.5.29.19', true, sequence()), // basicConstraints: not a CA
    extension('2.5.29.15', true, KEY_USAGE_BITS),
    extension('2.5.29.37', false, sequence(oid('1.3.6.1.5.5.7.3.2'))), // extKeyUsage: clientAuth
    extension('2.5.29.14', false, tlv(OCTET_STRING, subjectKeyId(parts.spki))),
    extension('2.5.29.35', false, sequence(tlv(0x80, parts.issuer.keyId))),
    ...(parts.sans.length > 0 ? [extension('2.5.29.17', false, generalNames(parts.sans))] : []),
  ];
  return sequence(
    tlv(0xa0, unsignedInteger(Uint8Array.of(2))), // version v3
    unsignedInteger(Buffer.from(parts.serial, 'hex')),
    algorithmIdentifier(parts.algorithm),
    parts.issuer.name,
    sequence(time(parts.notBefore), time(parts.notAfter)),
    new Uint8Array(parts.subject.toArrayBuffer()),
    parts.spki,
    tlv(0xa3, sequence(...extensions)),
  );
}
