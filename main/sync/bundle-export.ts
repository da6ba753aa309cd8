/**
 * `fieldline queue export FILE`: the pending records as a signed offline bundle (bundle.ts), for a site with no
 * network. The order matters for crash safety: the file is written under a temporary name, fsynced, renamed into
 * place and its folder fsynced, and only then are the rows marked `exported`, in one transaction. A crash before
 * that leaves the rows pending (a stray temporary file at worst); a crash after leaves a complete bundle. Rows are
 * marked exported, not sent: the registry has not seen them yet. Reconciliation (reconcile.ts) marks them sent
 * once the registry is seen holding them, and `queue retry <id>` puts one back in the queue if the file is lost.
 */
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { FieldlineError } from '../errors';
import { runRecordSchema, type RunRecord } from '../contract/run-record';
import { serializeBundle } from '../shared/bundle-format';
import { createBundle } from './bundle';
import type { Outbox } from './outbox';
import { LIMITS } from '../contract/registry/api';
import type { StationKey } from './station-key';

export interface ExportResult {
  file: string;
  records: number;
  bytes: number;
  /** Pending records left out because the bundle would have exceeded LIMITS.bundleBytes: export again. */
  remaining: number;
  /** Records that do not fit the run record schema: dead-lettered with the reason, not exported. */
  invalid: Array<{ id: string; reason: string }>;
  station: string;
  keyId: string;
  publicKey: string;
}

/** Manifest and envelope bytes per record beyond its JSON (a hash in the manifest, quotes, commas), generously. */
const PER_RECORD_OVERHEAD = 80;
const FIXED_OVERHEAD = 4096;

function writeDurably(file: string, bytes: Uint8Array): void {
  const temp = `${file}.tmp-${process.pid}`;
  const fd = openSync(temp, 'wx', 0o600);
  try {
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(temp, file);
  // The rename itself must reach the disk before the rows say "exported".
  if (process.platform !== 'win32') {
    const dir = openSync(dirname(file), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  }
}

export function exportBundle(outbox: Outbox, file: string, station: string, key: StationKey, now = new Date()): ExportResult {
  const target = resolve(file);
  if (existsSync(target)) throw new FieldlineError('INVALID_ARGUMENT', `${target} exists; choose another file name (an earlier bundle may not have been delivered yet)`);
  const pending = outbox.pending();
  const base = { file: target, station, keyId: key.keyId, publicKey: key.publicKey };
  if (pending.length === 0) return { ...base, records: 0, bytes: 0, remaining: 0, invalid: [] };

  let budget = LIMITS.bundleBytes - FIXED_OVERHEAD;
  const chosen: Array<{ runId: string; record: RunRecord }> = [];
  const invalid: ExportResult['invalid'] = [];
  let remaining = 0;
  for (const row of pending) {
    if (budget - (row.bytes + PER_RECORD_OVERHEAD) < 0) {
      remaining += 1;
      continue;
    }
    // The bundle schema checks every record, so one that does not fit would make the whole file unreadable; and
    // the hashes are of the checked form. Such a record could never be accepted: it is dead-lettered, as the
    // registry would have done.
    const parsed = runRecordSchema.safeParse(JSON.parse(row.json));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      invalid.push({ id: row.runId, reason: `not a valid run record: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'bad shape'}` });
      continue;
    }
    budget -= row.bytes + PER_RECORD_OVERHEAD;
    chosen.push({ runId: row.runId, record: parsed.data });
  }
  if (invalid.length > 0) outbox.deadLetter(invalid);
  if (chosen.length === 0) {
    if (remaining > 0) throw new FieldlineError('INVALID_ARGUMENT', `the oldest pending record alone is larger than a bundle may be (${LIMITS.bundleBytes} bytes)`);
    return { ...base, records: 0, bytes: 0, remaining: 0, invalid };
  }
  const bytes = serializeBundle(createBundle(chosen.map((c) => c.record), station, key, now));
  writeDurably(target, bytes);
  outbox.markExported(chosen.map((c) => c.runId), target);
  return { ...base, records: chosen.length, bytes: bytes.length, remaining, invalid };
}
