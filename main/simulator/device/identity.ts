/**
 * Fieldline identity group (64), per shared/protocol/IDENTITY-GROUP.md: the gateway makes a P-256 key pair in a
 * slot and answers with a PKCS#10 request (0), installs the certificate issued for it (1), proves possession by
 * signing a challenge (2), reports (3) and erases (4) a slot. The private key never leaves the state directory.
 *
 * Errors the document leaves open, and the answer chosen:
 *   - a slot number the device does not have, a challenge outside 16..64 bytes, an `alg` other than p256:
 *     smp-error EINVAL (bad input value; the group has no code for it);
 *   - csr on a slot whose key already has a certificate: smp-error EBADSTATE (the state disallows it; erase first).
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createHash, createPrivateKey, createPublicKey, sign, webcrypto, type KeyObject } from 'node:crypto';
import { GROUP } from '../../smp/error-codes';
import type { Body, SimReply } from '../handler';
import type { DeviceContext } from './context';
import { defineGroup, groupErrors, ok, optBytesArray, optText, optUint, smpError, bytes, text, type DeviceGroupHandler } from './request';
import { parseDistinguishedName } from '../../pki/dn';
import { IDENTITY_SLOTS } from './state';

const err = groupErrors(GROUP.IDENTITY);

/** Room the device has for one slot's certificate and chain together (STORAGE_FULL beyond it). */
export const IDENTITY_CERT_STORAGE = 8 * 1024;
export const CHALLENGE_MIN = 16;
export const CHALLENGE_MAX = 64;

// @peculiar/x509 is typed against the DOM's Crypto, which Node's types do not declare; Node's webcrypto implements it.
type X509Crypto = NonNullable<Parameters<typeof x509.Pkcs10CertificateRequestGenerator.create>[1]>;
const x509Crypto = webcrypto as unknown as X509Crypto;

function parseCert(der: Uint8Array): x509.X509Certificate | undefined {
  try {
    return new x509.X509Certificate(der);
  } catch {
    return undefined;
  }
}

export function createIdentityGroup(device: DeviceContext): DeviceGroupHandler {
  /** The slot a request names, or the EINVAL reply when the device has no such slot. */
  function slotOf(body: Body): number | SimReply {
    const slot = optUint(body, 'slot') ?? 0;
    return slot < IDENTITY_SLOTS ? slot : smpError('EINVAL', `slot ${slot} does not exist (slots 0..${IDENTITY_SLOTS - 1})`);
  }

  async function csr(body: Body): Promise<SimReply> {
    const subject = text(body, 'subject');
    const alg = optText(body, 'alg') ?? 'p256';
    const slot = slotOf(body);
    if (typeof slot !== 'number') return slot;
    if (alg !== 'p256') return smpError('EINVAL', `alg ${alg} is not supported (p256 only)`);
    const name = parseDistinguishedName(subject);
    if (!name) return err('BAD_SUBJECT');
    if (device.state.identity(slot).cert) return smpError('EBADSTATE', 'the slot has an installed certificate; erase it first');

    await device.sleep(device.config.delays.keyGeneration);
    const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const request = await x509.Pkcs10CertificateRequestGenerator.create(
      { name, keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } },
      x509Crypto,
    );
    const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
    await device.state.writeIdentityKey(slot, x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'));
    device.log.info('identity key generated', { slot, subject: name.toString() });
    return ok({ csr: new Uint8Array(request.rawData) });
  }

  async function install(body: Body): Promise<SimReply> {
    const certDer = bytes(body, 'cert');
    const chainDer = optBytesArray(body, 'chain') ?? [];
    const slot = slotOf(body);
    if (typeof slot !== 'number') return slot;
    const keyPem = device.state.identity(slot).keyPem;
    if (!keyPem) return err('NO_KEY');
    const leaf = parseCert(certDer);
    if (!leaf || chainDer.some((der) => !parseCert(der))) return err('BAD_CERT');
    let leafKey: KeyObject;
    try {
      leafKey = createPublicKey({ key: Buffer.from(leaf.publicKey.rawData), format: 'der', type: 'spki' });
    } catch {
      // A certificate for a key type Node cannot read cannot be for our P-256 key either.
      return err('KEY_MISMATCH');
    }
    if (!leafKey.equals(createPublicKey(createPrivateKey(keyPem)))) return err('KEY_MISMATCH');
    const stored = certDer.length + chainDer.reduce((n, der) => n + der.length, 0);
    if (stored > IDENTITY_CERT_STORAGE) return err('STORAGE_FULL');
    await device.state.writeIdentityCert(slot, certDer.slice(), chainDer.map((d) => d.slice()));
    await device.flashWrite(stored);
    return ok({ fingerprint: new Uint8Array(createHash('sha256').update(certDer).digest()) });
  }

  function signChallenge(body: Body): SimReply {
    const challenge = bytes(body, 'challenge');
    const slot = slotOf(body);
    if (typeof slot !== 'number') return slot;
    if (challenge.length < CHALLENGE_MIN || challenge.length > CHALLENGE_MAX) {
      return smpError('EINVAL', `challenge must be ${CHALLENGE_MIN}..${CHALLENGE_MAX} bytes`);
    }
    const keyPem = device.state.identity(slot).keyPem;
    if (!keyPem) return err('NO_KEY');
    const sig = sign('sha256', challenge, { key: createPrivateKey(keyPem), dsaEncoding: 'der' });
    return ok({ sig: new Uint8Array(sig) });
  }

  function info(body: Body): SimReply {
    const slot = slotOf(body);
    if (typeof slot !== 'number') return slot;
    const id = device.state.identity(slot);
    return ok({
      key: id.keyPem !== undefined,
      ...(id.cert ? { cert: id.cert } : {}),
      ...(id.cert && id.chain.length ? { chain: id.chain } : {}),
    });
  }

  async function erase(body: Body): Promise<SimReply> {
    const slot = slotOf(body);
    if (typeof slot !== 'number') return slot;
    await device.state.eraseIdentity(slot);
    return ok();
  }

  return defineGroup({
    group: GROUP.IDENTITY,
    name: 'fieldline identity',
    commands: {
      0: { write: ({ body }) => csr(body) },
      1: { write: ({ body }) => install(body) },
      2: { write: ({ body }) => signChallenge(body) },
      3: { read: ({ body }) => info(body) },
      4: { write: ({ body }) => erase(body) },
    },
  });
}
