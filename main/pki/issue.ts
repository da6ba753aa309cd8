/**
 * What a device certificate looks like: the end-entity profile the station CA signs. Kept apart from the CA's file
 * handling so the certificate's shape can be read (and reviewed) in one place.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { FieldlineError } from '../errors';
import type { IssueRequest } from './types';
import { parseDistinguishedName } from './dn';
import { describeKey, publicKeyFromSpki, x509Crypto, type CaSigningKey } from './x509-crypto';

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
}

/** The issuer's own key identifier when it has one, so the AKI matches its SKI even if the CA computed it differently. */
export async function authorityKeyIdentifier(issuer: x509.X509Certificate): Promise<x509.AuthorityKeyIdentifierExtension> {
  const ski = issuer.getExtension(x509.SubjectKeyIdentifierExtension);
  return ski ? new x509.AuthorityKeyIdentifierExtension(ski.keyId) : x509.AuthorityKeyIdentifierExtension.create(issuer.publicKey, false, x509Crypto);
}

export async function buildLeafCertificate({ request, issuer, key, now }: LeafParams): Promise<x509.X509Certificate> {
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

  const sans = parseSans(request.sans);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
    await x509.SubjectKeyIdentifierExtension.create(spki, false, x509Crypto),
    await authorityKeyIdentifier(issuer),
  ];
  if (sans.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(sans, false));

  return x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(),
      subject,
      issuer: issuer.subjectName,
      notBefore,
      notAfter,
      publicKey: spki,
      signingKey: key.privateKey,
      signingAlgorithm: key.algorithm,
      extensions,
    },
    x509Crypto,
  );
}
