/**
 * The glue between @peculiar/x509 (which speaks WebCrypto) and Node's crypto: the crypto provider to pass it, and
 * the CA signing key turned from PKCS#8 into a non-extractable WebCrypto key with the matching signature algorithm.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createHash, createPrivateKey, createPublicKey, webcrypto, type KeyObject } from 'node:crypto';

// @peculiar/x509 is typed against the DOM's Crypto, which Node's types do not declare; Node's webcrypto implements it.
export type X509Crypto = NonNullable<Parameters<typeof x509.X509CertificateGenerator.create>[1]>;
export const x509Crypto = webcrypto as unknown as X509Crypto;

export type CryptoKey = webcrypto.CryptoKey;
export type SigningAlgorithm = { name: 'ECDSA'; hash: string } | { name: 'RSASSA-PKCS1-v1_5' };

/** ECDSA hashes sized to the curve (RFC 5758 §3.2); RSA keys sign with SHA-256. */
const EC_CURVES: Record<string, { webName: string; hash: string }> = {
  prime256v1: { webName: 'P-256', hash: 'SHA-256' },
  secp384r1: { webName: 'P-384', hash: 'SHA-384' },
  secp521r1: { webName: 'P-521', hash: 'SHA-512' },
};

/**
 * The CA's signing key, wherever it lives: a non-extractable WebCrypto key opened from the sealed file
 * (fileSigningKey), or a key inside a PKCS#11 token (pkcs11-key.ts). Certificates and CRLs are signed only through
 * `sign`, so neither the issuer nor the CRL writer knows which.
 */
export interface CaSigningKey {
  publicKey: KeyObject;
  algorithm: SigningAlgorithm;
  /** Signs `data` (hashing it as `algorithm` says). ECDSA signatures come as WebCrypto gives them: raw r‖s. */
  sign(data: Uint8Array): Promise<Uint8Array>;
}

const webSignParams = (algorithm: SigningAlgorithm): { name: string; hash?: string } =>
  algorithm.name === 'ECDSA' ? { name: 'ECDSA', hash: algorithm.hash } : { name: 'RSASSA-PKCS1-v1_5' };

/** A CaSigningKey over a WebCrypto key; non-extractable, so nothing in this process can export the CA key again. */
export function fileSigningKey(privateKey: CryptoKey, publicKey: KeyObject, algorithm: SigningAlgorithm): CaSigningKey {
  const params = webSignParams(algorithm);
  return {
    publicKey,
    algorithm,
    sign: async (data) => new Uint8Array(await webcrypto.subtle.sign(params, privateKey, data)),
  };
}

/**
 * What @peculiar/x509's generators need to sign with `key`: a crypto provider whose subtle.sign goes to key.sign,
 * and a stand-in for the CryptoKey they pass it (they read only its `algorithm`). The generators take a crypto
 * provider and nothing else, and a token key has no WebCrypto handle — this is the seam.
 */
export function signingProvider(key: CaSigningKey): { crypto: X509Crypto; signingKey: CryptoKey } {
  const subtle = x509Crypto.subtle;
  const crypto = {
    getRandomValues: x509Crypto.getRandomValues.bind(x509Crypto),
    randomUUID: x509Crypto.randomUUID.bind(x509Crypto),
    subtle: new Proxy(subtle, {
      get(target, prop) {
        if (prop === 'sign') return async (_alg: unknown, _key: unknown, data: ArrayBuffer | ArrayBufferView) => {
          const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
          const signature = await key.sign(bytes);
          return signature.slice().buffer;
        };
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    }),
  } as unknown as X509Crypto;
  const algorithm = key.algorithm.name === 'ECDSA' ? { name: 'ECDSA' } : { name: 'RSASSA-PKCS1-v1_5', hash: { name: 'SHA-256' } };
  const signingKey = { algorithm, type: 'private', extractable: false, usages: ['sign'] } as unknown as CryptoKey;
  return { crypto, signingKey };
}

/** "EC P-256", "RSA 2048", "ed25519": how a key is named in error messages. */
export function describeKey(key: KeyObject): string {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'ec') return `EC ${EC_CURVES[details.namedCurve ?? '']?.webName ?? details.namedCurve ?? '?'}`;
  if (key.asymmetricKeyType === 'rsa') return `RSA ${details.modulusLength ?? '?'}`;
  return key.asymmetricKeyType ?? 'unknown';
}

export function isP256(key: KeyObject): boolean {
  return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
}

/** What @peculiar/x509 and WebCrypto need to sign with `key`; undefined for key types a station CA does not use. */
type ImportAlgorithm = webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams;

export function signingParams(key: KeyObject): { importAlgorithm: ImportAlgorithm; algorithm: SigningAlgorithm } | undefined {
  if (key.asymmetricKeyType === 'ec') {
    const curve = EC_CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
    if (!curve) return undefined;
    return { importAlgorithm: { name: 'ECDSA', namedCurve: curve.webName }, algorithm: { name: 'ECDSA', hash: curve.hash } };
  }
  if (key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048) {
    return { importAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, algorithm: { name: 'RSASSA-PKCS1-v1_5' } };
  }
  return undefined;
}

/** Imports a CA key from PKCS#8 DER. The caller still owns (and zeroes) `pkcs8Der`. */
export async function importCaKey(pkcs8Der: Uint8Array): Promise<CaSigningKey> {
  const keyObject = createPrivateKey({ key: Buffer.from(pkcs8Der), format: 'der', type: 'pkcs8' });
  const params = signingParams(keyObject);
  if (!params) throw new Error(`unsupported CA key type ${describeKey(keyObject)}`);
  const privateKey = await webcrypto.subtle.importKey('pkcs8', pkcs8Der, params.importAlgorithm, false, ['sign']);
  return fileSigningKey(privateKey, createPublicKey(keyObject), params.algorithm);
}

/** A Node public key from SPKI DER; throws on bytes that are not a public key. */
export function publicKeyFromSpki(spki: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
}

export function sha256Hex(data: Uint8Array | ArrayBuffer): string {
  return createHash('sha256').update(data instanceof ArrayBuffer ? new Uint8Array(data) : data).digest('hex');
}

/** Certificates and CRLs only: private keys are never PEM-encoded by the station. */
export function toPem(der: Uint8Array | ArrayBuffer, label: 'CERTIFICATE' | 'X509 CRL'): string {
  const bytes = der instanceof ArrayBuffer ? der : der.slice().buffer;
  return x509.PemConverter.encode(bytes, label) + '\n';
}
