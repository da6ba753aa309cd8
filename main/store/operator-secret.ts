/**
 * An operator's passphrase or PIN as the store keeps it: scrypt (RFC 7914) with a random 16-byte salt per operator,
 * stored with its parameters — `scrypt$N$r$p$salt$hash`, base64 — so the cost can be raised later and older hashes
 * still verify. A PIN has little entropy; what protects it is scrypt's cost per guess and the lockout
 * (main/core/operators.ts), not the hash alone.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** OWASP's scrypt minimum (2^17 would take ~0.3 s per sign-in on the 2-core station; 2^15 ~0.08 s, 32 MiB). */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
/** Parameters read back from the store are bounded: a tampered row must not make a sign-in allocate gigabytes. */
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

function derive(secret: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  // maxmem: scrypt needs 128·N·r bytes; Node's default cap (32 MiB) is exactly the default cost, with no headroom.
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => scrypt(secret.normalize('NFC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashSecret(secret: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(secret, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

function parse(stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const powerOfTwo = Number.isInteger(N) && N > 1 && (N & (N - 1)) === 0;
  if (!powerOfTwo || N > MAX_N || !Number.isInteger(r) || r < 1 || r > MAX_R || !Number.isInteger(p) || p < 1 || p > MAX_P) return undefined;
  const salt = Buffer.from(parts[4] ?? '', 'base64');
  const key = Buffer.from(parts[5] ?? '', 'base64');
  if (salt.length < SALT_LENGTH || key.length !== KEY_LENGTH) return undefined;
  return { params: { N, r, p }, salt, key };
}

/** Whether `secret` matches `stored`; an unreadable stored value matches nothing. Constant-time comparison. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const key = await derive(secret, parsed.salt, parsed.params);
  return timingSafeEqual(key, parsed.key);
}

/**
 * A hash that matches no secret, verified in place of an unknown operator's so that a wrong name costs the same time
 * as a wrong secret and the answer's timing does not say which names exist.
 */
export function decoyHash(params: ScryptParams = DEFAULT_SCRYPT): string {
  return ['scrypt', params.N, params.r, params.p, Buffer.alloc(SALT_LENGTH).toString('base64'), Buffer.alloc(KEY_LENGTH).toString('base64')].join('$');
}
