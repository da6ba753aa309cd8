/**
 * The station's register of issued certificates and of which process runs each `running` run: the SQL behind the
 * write-ahead rule. A certificate is entered in the same transaction as the run record that names it, and that
 * record is saved before the certificate goes to the device, so after a kill at any instant the register shows
 * every certificate that may have left the station. Call inside the store's transaction. The writes run on every
 * saved run, so their statements come from the same per-connection cache as the run's own (runs.ts).
 */
import type Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { hostname, uptime } from 'node:os';
import type { RunRecord } from '../contract/run-record';
import { statement } from './runs';
import type { IssuedCertificateRow, RunOwner } from './types';

export type CertificateState = IssuedCertificateRow['state'];

/** Where a record's certificate stands. Once revoked, always revoked: a later save of an older copy cannot undo it. */
function stateOf(record: RunRecord): CertificateState {
  if (record.certificate?.revoked) return 'revoked';
  return record.outcome === 'passed' ? 'in-service' : 'issued';
}

export function writeCertificate(db: Database.Database, record: RunRecord, at: string): void {
  const cert = record.certificate;
  if (!cert) return;
  statement(
    db,
    `INSERT INTO certificates (serial, fingerprint, subject, device_serial, run_id, issued_at, not_after, state, updated_at)
     VALUES ($serial, $fingerprint, $subject, $device, $run, $issuedAt, $notAfter, $state, $at)
     ON CONFLICT (serial) DO UPDATE SET
       state = CASE WHEN certificates.state = 'revoked' THEN 'revoked' ELSE excluded.state END,
       updated_at = CASE WHEN certificates.state = excluded.state THEN certificates.updated_at ELSE excluded.updated_at END`,
  ).run({
    serial: cert.serial.toLowerCase(),
    fingerprint: cert.fingerprintSha256,
    subject: cert.subject,
    device: record.device.serial,
    run: record.id,
    issuedAt: cert.notBefore,
    notAfter: cert.notAfter,
    state: stateOf(record),
    at,
  });
}

/**
 * This process as an owner: pid, host and the kernel's boot id (a pid is only meaningful within one boot). Where
 * there is no boot id (macOS, Windows) the boot time to the minute stands in for it. Read afresh on each call: the
 * store reads it once when it opens and keeps it (no module-level memo).
 */
export function currentProcess(): Omit<RunOwner, 'runId'> {
  let bootId: string;
  try {
    bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    bootId = `boot-${Math.round((Date.now() - uptime() * 1000) / 60_000)}`;
  }
  return { pid: process.pid, host: hostname(), bootId };
}

/** A `running` run is owned by the process saving it (`me`); a finished one by nobody. */
export function writeOwner(db: Database.Database, record: RunRecord, me: Omit<RunOwner, 'runId'>): void {
  if (record.outcome === 'running') {
    statement(
      db,
      `INSERT INTO run_owners (run_id, pid, host, boot_id) VALUES (?, ?, ?, ?)
       ON CONFLICT (run_id) DO UPDATE SET pid = excluded.pid, host = excluded.host, boot_id = excluded.boot_id`,
    ).run(record.id, me.pid, me.host, me.bootId);
  } else {
    statement(db, 'DELETE FROM run_owners WHERE run_id = ?').run(record.id);
  }
}

interface CertificateRow {
  serial: string;
  fingerprint: string;
  subject: string;
  device_serial: string;
  run_id: string;
  issued_at: string;
  not_after: string;
  state: CertificateState;
  updated_at: string;
}

const toIssued = (r: CertificateRow): IssuedCertificateRow => ({
  serial: r.serial,
  fingerprintSha256: r.fingerprint,
  subject: r.subject,
  deviceSerial: r.device_serial,
  runId: r.run_id,
  issuedAt: r.issued_at,
  notAfter: r.not_after,
  state: r.state,
  updatedAt: r.updated_at,
});

export function selectCertificates(db: Database.Database, filter: { state?: CertificateState; deviceSerial?: string; fingerprint?: string } = {}): IssuedCertificateRow[] {
  const where: string[] = [];
  const params: Record<string, string> = {};
  if (filter.state !== undefined) {
    where.push('state = $state');
    params.state = filter.state;
  }
  if (filter.deviceSerial !== undefined) {
    where.push('device_serial = $device');
    params.device = filter.deviceSerial;
  }
  if (filter.fingerprint !== undefined) {
    where.push('fingerprint = $fingerprint');
    params.fingerprint = filter.fingerprint;
  }
  const rows = db
    .prepare(`SELECT * FROM certificates ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY issued_at, serial`)
    .all(params) as CertificateRow[];
  return rows.map(toIssued);
}

/**
 * Runs that may have left something behind: every `running` run (with its owner, when one is known), and every
 * other unpassed run whose certificate is still only `issued`.
 */
export function selectUnfinishedRuns(db: Database.Database, deviceSerial?: string): Array<{ runId: string; outcome: RunRecord['outcome']; owner?: RunOwner }> {
  const rows = db
    .prepare(
      `SELECT r.id AS runId, r.outcome AS outcome, o.pid AS pid, o.host AS host, o.boot_id AS bootId
         FROM runs r LEFT JOIN run_owners o ON o.run_id = r.id
        WHERE (r.outcome = 'running'
           OR (r.outcome <> 'passed' AND EXISTS (SELECT 1 FROM certificates c WHERE c.run_id = r.id AND c.state = 'issued')))
          AND ($serial IS NULL OR r.serial = $serial)
        ORDER BY r.started_at, r.id`,
    )
    .all({ serial: deviceSerial ?? null }) as Array<{ runId: string; outcome: RunRecord['outcome']; pid: number | null; host: string | null; bootId: string | null }>;
  return rows.map((r) => ({
    runId: r.runId,
    outcome: r.outcome,
    ...(r.pid !== null && r.host !== null && r.bootId !== null ? { owner: { runId: r.runId, pid: r.pid, host: r.host, bootId: r.bootId } } : {}),
  }));
}
