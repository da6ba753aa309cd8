/**
 * `identity.existing: keep`: whether the certificate a unit already holds may stay. Each check is one the station
 * can prove now, not one it remembers: the certificate chains to this station's CA (signatures checked), it is not
 * revoked (the store's register and the CA's revocation list), it does not expire within the renewal margin, its
 * subject is the one the profile renders for this unit, and the device signs a fresh challenge with the slot's key.
 * The first check that fails ends the step with IDENTITY_KEEP_FAILED naming it.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { randomBytes, X509Certificate } from 'node:crypto';
import { FieldlineError } from '../../errors';
import { certificateRecord, verifyChallenge } from '../../pki/csr';
import { parseDistinguishedName, sameName } from '../../pki/dn';
import type { Signer } from '../../pki/types';
import type { CertificateRecord } from '../../contract/run-record';
import type { Store } from '../../store/types';

const DAY_MS = 86_400_000;

export interface KeepInput {
  der: Uint8Array;
  signer: Signer;
  store: Store;
  deviceSerial: string;
  subject: string;
  renewWithinDays: number;
  now: Date;
  /** Asks the device to sign the challenge with the slot's key. */
  sign(challenge: Uint8Array): Promise<Uint8Array>;
}

const refuse = (check: string, why: string): FieldlineError =>
  new FieldlineError('IDENTITY_KEEP_FAILED', `${check}: ${why}`, { check });

/** Names alone prove nothing: both signatures are checked, the leaf's by the intermediate and the intermediate's by the root. */
function chainsToStation(leaf: X509Certificate, signer: Signer): boolean {
  const { root, intermediate } = signer.trustChainPem();
  const issuer = new X509Certificate(intermediate);
  return leaf.checkIssued(issuer) && leaf.verify(issuer.publicKey) && issuer.verify(new X509Certificate(root).publicKey);
}

/** Whether this station's CA issued the certificate (`replace` revokes only its own). */
export function issuedByStation(der: Uint8Array, signer: Signer): boolean {
  try {
    return chainsToStation(new X509Certificate(der), signer);
  } catch {
    return false;
  }
}

/** The kept certificate as the run record names it, once every check passed. */
export async function checkKeep(input: KeepInput): Promise<Omit<CertificateRecord, 'mode'>> {
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(input.der);
  } catch {
    throw refuse('chain', 'the slot holds bytes that are not a certificate');
  }
  const record = certificateRecord(input.der);
  if (!chainsToStation(leaf, input.signer)) {
    throw refuse('chain', `the certificate (issuer "${record.issuer}") was not issued by this station's CA`);
  }

  const registered = input.store.listCertificates({ fingerprint: record.fingerprintSha256 });
  const revokedList = (await input.signer.listRevoked?.()) ?? [];
  if (registered.some((c) => c.state === 'revoked') || revokedList.some((r) => r.serial === record.serial.replace(/^0+(?=.)/, ''))) {
    throw refuse('revocation', `certificate ${record.serial} is revoked`);
  }
  if (registered.length > 0 && !registered.some((c) => c.deviceSerial === input.deviceSerial)) {
    throw refuse('device', `certificate ${record.serial} was issued to another device`);
  }

  const notAfter = Date.parse(record.notAfter);
  if (Date.parse(record.notBefore) > input.now.getTime()) throw refuse('validity', `the certificate is not valid before ${record.notBefore}`);
  if (notAfter - input.now.getTime() <= input.renewWithinDays * DAY_MS) {
    throw refuse('validity', `the certificate expires ${record.notAfter}, within the profile's renewal margin of ${input.renewWithinDays} days`);
  }

  const expected = parseDistinguishedName(input.subject);
  if (!expected) throw new FieldlineError('INVALID_ARGUMENT', `subject "${input.subject}" is not an RFC 4514 name`);
  if (!sameName(new x509.X509Certificate(new Uint8Array(input.der)).subjectName, expected)) {
    throw refuse('subject', `the certificate is for "${record.subject}" but the profile renders "${input.subject}"`);
  }

  const challenge = randomBytes(32);
  if (!verifyChallenge(input.der, challenge, await input.sign(challenge))) {
    throw refuse('possession', "the device signed the challenge with a key that does not match the certificate");
  }
  return record;
}
