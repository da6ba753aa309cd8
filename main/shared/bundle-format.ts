/**
 * Offline bundles: pending records written to a file for sites with no network, carried to a connected
 * station or straight to the registry. The manifest lists each record's hash and is signed with the station's
 * Ed25519 key, so a bundle with one byte altered anywhere is refused with a reason.
 *
 * This file is the format both ends share — the hashes, the key id, the bytes on disk and the check — so it is in
 * main/shared/ (neutral: imports only main/contract and main/errors): the station writes bundles
 * (main/sync/bundle.ts signs them) and imports them (main/cli/registry-station.ts), the registry takes them
 * (registry/routes-bundles.ts), and neither imports the other's parts. The schemas are main/contract/registry/api.ts.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import { FieldlineError } from '../errors';
import type { RunRecord } from '../contract/run-record';
import { canonicalJson } from '../contract/json';
import { bundleSchema, type Bundle } from '../contract/registry/api';

export function recordHash(record: RunRecord): string {
  return createHash('sha256').update(canonicalJson(record)).digest('hex');
}

/** A station key's id: the first 16 hex digits of the SHA-256 of its public key (SPKI DER, given in base64). */
export function keyIdOf(publicKeySpkiBase64: string): string {
  return createHash('sha256').update(Buffer.from(publicKeySpkiBase64, 'base64')).digest('hex').slice(0, 16);
}

export function serializeBundle(bundle: Bundle): Buffer {
  return Buffer.from(JSON.stringify(bundle) + '\n');
}

function invalid(message: string): FieldlineError {
  return new FieldlineError('BUNDLE_INVALID', message);
}

/**
 * Parses and checks a bundle: its shape, the signature over the manifest with the manifest's own key, and every
 * record against its hash. Whether that key belongs to the station is the receiver's question (keyId).
 */
export function parseBundle(bytes: Uint8Array): Bundle {
  const text = Buffer.from(bytes).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw invalid(`not a bundle: ${(err as Error).message}`);
  }
  // Byte for byte as serializeBundle wrote it: otherwise one altered byte in whitespace, an escape or the final
  // newline would still parse to the same content and go unnoticed. A bundle is a file to carry, never to edit.
  if (JSON.stringify(json) + '\n' !== text) throw invalid('the file is not exactly as the station wrote it (its bytes were changed)');
  const parsed = bundleSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw invalid(`not a valid bundle: ${first ? `${first.path.join('.')}: ${first.message}` : 'bad shape'}`);
  }
  const bundle = parsed.data;
  const { manifest } = bundle;
  if (keyIdOf(manifest.publicKey) !== manifest.keyId) throw invalid('the manifest key id does not match its public key');
  // base64 decoding ignores the unused low bits of the last character: another character there would decode to
  // the same key or signature, so only the canonical spelling is accepted.
  for (const [what, value] of [['public key', manifest.publicKey], ['signature', bundle.signature]] as const) {
    if (Buffer.from(value, 'base64').toString('base64') !== value) throw invalid(`the ${what} is not canonical base64 (altered)`);
  }
  let ok: boolean;
  try {
    const key = createPublicKey({ key: Buffer.from(manifest.publicKey, 'base64'), format: 'der', type: 'spki' });
    ok = verify(null, Buffer.from(canonicalJson(manifest)), key, Buffer.from(bundle.signature, 'base64'));
  } catch {
    ok = false;
  }
  if (!ok) throw invalid('the signature does not match the manifest (altered, or not signed by this key)');
  if (manifest.count !== bundle.records.length || manifest.recordHashes.length !== bundle.records.length) {
    throw invalid(`the manifest lists ${manifest.count} records, the bundle carries ${bundle.records.length}`);
  }
  bundle.records.forEach((r, i) => {
    if (recordHash(r) !== manifest.recordHashes[i]) throw invalid(`record ${i + 1} (${r.id}) does not match its hash in the manifest`);
  });
  return bundle;
}
