/**
 * Making an offline bundle: the station signs the manifest of its pending records with its own key. The format and
 * its check, which the registry shares, are main/shared/bundle-format.ts.
 */
import { sign } from 'node:crypto';
import type { RunRecord } from '../contract/run-record';
import { canonicalJson } from '../contract/json';
import { BUNDLE_FORMAT, type Bundle, type BundleManifest } from '../contract/registry/api';
import { recordHash } from '../shared/bundle-format';
import type { StationKey } from './station-key';

export function createBundle(records: RunRecord[], station: string, key: StationKey, now = new Date()): Bundle {
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    station,
    createdAt: now.toISOString(),
    count: records.length,
    recordHashes: records.map(recordHash),
    publicKey: key.publicKey,
    keyId: key.keyId,
  };
  const signature = sign(null, Buffer.from(canonicalJson(manifest)), key.privateKey).toString('base64');
  return { manifest, signature, records };
}
