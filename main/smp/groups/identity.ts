/**
 * Fieldline identity group (64, IDENTITY-GROUP.md): the device makes a P-256 key that never leaves it, returns
 * a CSR, stores the issued certificate and proves possession by signing a challenge.
 */
import { FieldlineError } from '../../errors';
import type { SmpClient } from '../client';
import { GROUP } from '../error-codes';
import { encodeCbor } from '../cbor';
import { arrayField, bytesField, optionalBool } from '../fields';
import { HEADER_SIZE } from '../header';

const G = GROUP.IDENTITY;

export async function requestCsr(client: SmpClient, subject: string, options: { slot?: number; alg?: string; timeoutMs?: number } = {}): Promise<Uint8Array> {
  // Key generation on a small MCU takes a while. Asking again is safe (IDENTITY-GROUP.md: a csr replaces any key in
  // the slot that has no installed certificate), so a lost or corrupted reply is retried instead of failing the run;
  // should a late first reply be taken instead, the challenge check after install catches the mismatched key.
  const body = await client.write(G, 0, { subject, slot: options.slot, alg: options.alg }, { timeoutMs: options.timeoutMs ?? 20_000, idempotent: true });
  return bytesField(body, 'csr', 'identity csr');
}

/**
 * Installs the leaf (and intermediates, issuer first); returns the device's SHA-256 fingerprint of the leaf.
 * The whole chain travels in one request, so it must fit the device's SMP buffer: given `bufSize`, a chain that
 * cannot fit is refused here with a clear error instead of being silently dropped by the device.
 */
export async function installCertificate(
  client: SmpClient,
  cert: Uint8Array,
  chain: Uint8Array[] = [],
  options: { slot?: number; bufSize?: number } = {},
): Promise<Uint8Array> {
  const body = { slot: options.slot, cert, chain: chain.length ? chain : undefined };
  if (options.bufSize !== undefined) {
    const size = HEADER_SIZE + encodeCbor(body).length;
    const max = client.maxPacketFor(options.bufSize);
    if (size > max) {
      throw new FieldlineError(
        'INVALID_ARGUMENT',
        `certificate chain needs a ${size}-byte SMP packet but the device takes at most ${max} (buf_size ${options.bufSize}); ` +
          'identity devices need CONFIG_MCUMGR_TRANSPORT_NETBUF_SIZE of about 1024 or more',
      );
    }
  }
  const reply = await client.write(G, 1, body, { timeoutMs: 10_000 });
  return bytesField(reply, 'fingerprint', 'identity install');
}

export async function signChallenge(client: SmpClient, challenge: Uint8Array, slot?: number): Promise<Uint8Array> {
  if (challenge.length < 16 || challenge.length > 64) {
    throw new FieldlineError('INVALID_ARGUMENT', `identity challenge must be 16–64 bytes, not ${challenge.length}`);
  }
  return bytesField(await client.write(G, 2, { slot, challenge }, { timeoutMs: 10_000 }), 'sig', 'identity sign');
}

export interface IdentityInfo {
  key: boolean;
  cert?: Uint8Array;
  chain: Uint8Array[];
}

export async function identityInfo(client: SmpClient, slot?: number): Promise<IdentityInfo> {
  const body = await client.read(G, 3, { slot });
  const chain = body.chain === undefined ? [] : arrayField(body, 'chain', 'identity info').map((c) => {
    if (!(c instanceof Uint8Array)) throw new FieldlineError('SMP_MALFORMED', 'identity info: chain entry is not a byte string');
    return c;
  });
  return {
    key: optionalBool(body, 'key', 'identity info') ?? false,
    ...(body.cert !== undefined ? { cert: bytesField(body, 'cert', 'identity info') } : {}),
    chain,
  };
}

/** Deletes key, certificate and chain of a slot (rollback). */
export async function eraseIdentity(client: SmpClient, slot?: number): Promise<void> {
  await client.write(G, 4, { slot });
}
