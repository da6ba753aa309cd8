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
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, X509Certificate as NodeX509Certificate, type KeyObject } from 'node:crypto';
import { GROUP } from '../../smp/error-codes';
import type { Body, SimReply } from '../handler';
import type { DeviceContext } from './context';
import { defineGroup, groupErrors, ok, optBytesArray, optText, optUint, smpError, bytes, text, type DeviceGroupHandler } from './request';
import { bitString, oid, sequence, tlv, unsignedInteger } from '../../pki/der';
import { parseDistinguishedName } from '../../pki/dn';
import { IDENTITY_SLOTS } from './state';

const err = groupErrors(GROUP.IDENTITY);

/** Room the device has for one slot's certificate and chain together (STORAGE_FULL beyond it). */
export const IDENTITY_CERT_STORAGE = 8 * 1024;
export const CHALLENGE_MIN = 16;
export const CHALLENGE_MAX = 64;

/** OpenSSL's parser (Node's): a device checks what it is given, and this runs for every certificate installed. */
function parseCert(der: Uint8Array): NodeX509Certificate | undefined {
  try {
    return new NodeX509Certificate(der);
  } catch {
    return undefined;
  }
}

/**
 * A P-256 key and a PKCS#10 request for it (RFC 2986: version 0, subject, key, no attributes, ecdsa-with-SHA256),
 * as a gateway's firmware builds one. Encoded directly and signed with Node's crypto: the key generation itself is
 * simulated by the keyGeneration delay, and the real work should not cost the simulator more than it must — it
 * shares the cores with the station being measured.
 */
export function makeCsr(name: x509.Name): { der: Uint8Array; keyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const info = sequence(
    unsignedInteger(Uint8Array.of(0)),
    new Uint8Array(name.toArrayBuffer()),
    new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
    tlv(0xa0, new Uint8Array(0)),
  );
  const signature = sign('sha256', info, { key: privateKey, dsaEncoding: 'der' });
  const der = sequence(info, sequence(oid('1.2.840.10045.4.3.2')), bitString(signature));
  return { der, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}

export function createIdentityGroup(device: DeviceContext): DeviceGroupHandler {
  // The slot key parsed once, not for every signature: reading the PEM costs more than the ECDSA signature itself,
  // and the simulator's CPU is taken from the same cores as the station's it is measured against.
  let parsedKey: { pem: string; key: KeyObject } | undefined;
  const privateKey = (pem: string): KeyObject => {
    if (parsedKey?.pem !== pem) parsedKey = { pem, key: createPrivateKey(pem) };
    return parsedKey.key;
  };

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
    const request = makeCsr(name);
    await device.state.writeIdentityKey(slot, request.keyPem);
    device.log.info('identity key generated', { slot, subject: name.toString() });
    return ok({ csr: request.der });
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
      leafKey = leaf.publicKey;
    } catch {
      // A certificate for a key type Node cannot read cannot be for our P-256 key either.
      return err('KEY_MISMATCH');
    }
    if (!leafKey.equals(createPublicKey(privateKey(keyPem)))) return err('KEY_MISMATCH');
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
    const sig = sign('sha256', challenge, { key: privateKey(keyPem), dsaEncoding: 'der' });
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
