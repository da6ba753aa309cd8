/**
 * Repair: what a killed process left in the store. Every certificate the station issued is in the store before
 * it reaches a device (the write-ahead rule, main/store/certificates.ts), so after a kill at any instant a run is
 * either `running` with no live owner, or unpassed with a certificate still only `issued`. Repair revokes such a
 * certificate (the device's next run erases it from the slot by its fingerprint) and marks the run `interrupted`;
 * runs whose owning process is still alive are left alone. The device's own state (settings, files, an untested
 * image) is put back by the device's next run, which inherits the interrupted run's snapshot.
 */
import { currentProcess } from '../store/certificates';
import type { RunOwner, Store } from '../store/types';
import type { Signer } from '../pki/types';
import type { RunRecord } from '../contract/run-record';

export interface RepairedRun {
  id: string;
  serial: string;
  /** The outcome before and after repair. */
  was: RunRecord['outcome'];
  now: RunRecord['outcome'];
  /** The run's certificate, and whether repair revoked it now or found it revoked. */
  certificate?: { serial: string; revoked: 'now' | 'already' };
}

export interface RepairReport {
  repaired: RepairedRun[];
  /** `running` runs whose process is alive (on this machine, this boot): not touched. */
  live: Array<{ id: string; pid: number }>;
}

/** Whether `pid` names a process that exists (EPERM: it exists, owned by someone else). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A run's owner is alive when it is this process, or a process of this host and boot that still exists. A run
 * saved on another host (a shared data directory) counts as alive: this machine cannot know, and revoking a live
 * run's certificate would fail a good unit.
 */
export function isOwnerAlive(owner: RunOwner | undefined, me = currentProcess()): boolean {
  if (!owner) return false;
  if (owner.host !== me.host) return true;
  if (owner.bootId !== me.bootId) return false;
  return owner.pid === me.pid || processExists(owner.pid);
}

export interface RepairOptions {
  store: Store;
  /** Opened only when a certificate must be revoked (it may need a passphrase). */
  signer: () => Promise<Signer>;
  /** Who repairs, for the audit log (`station:NAME`, `cli`). */
  actor: string;
  /** Only this device's runs (the next run of a device repairs what came before it). */
  deviceSerial?: string;
  /** A run not to touch: the one doing the repair. */
  exceptRunId?: string;
  now?: () => Date;
}

export async function repairRuns(options: RepairOptions): Promise<RepairReport> {
  const now = options.now ?? (() => new Date());
  const report: RepairReport = { repaired: [], live: [] };
  let signer: Signer | undefined;
  // The device's runs only, selected in SQL: a station provisioning 64 gateways repairs at each identify.
  for (const candidate of options.store.listUnfinishedRuns(options.deviceSerial)) {
    if (candidate.runId === options.exceptRunId) continue;
    if (candidate.outcome === 'running' && isOwnerAlive(candidate.owner)) {
      if (candidate.owner) report.live.push({ id: candidate.runId, pid: candidate.owner.pid });
      continue;
    }
    const record = options.store.getRun(candidate.runId);
    if (!record) continue;
    const was = record.outcome;
    const repaired: RepairedRun = { id: record.id, serial: record.device.serial, was, now: was };
    const cert = record.certificate;
    if (cert) {
      if (!cert.revoked) {
        signer ??= await options.signer();
        await signer.revoke(cert.serial, `run ${record.id} did not finish (${was})`);
        cert.revoked = true;
        repaired.certificate = { serial: cert.serial, revoked: 'now' };
      } else {
        repaired.certificate = { serial: cert.serial, revoked: 'already' };
      }
    }
    if (record.outcome === 'running') {
      record.outcome = 'interrupted';
      record.endedAt ||= now().toISOString();
      record.error ??= { code: 'RUN_INTERRUPTED', message: 'the process running it stopped before the run ended' };
    }
    repaired.now = record.outcome;
    options.store.saveRun(record, [
      {
        actor: options.actor,
        action: 'run.repair',
        subject: record.device.serial,
        details: { run: record.id, was, now: record.outcome, ...(options.exceptRunId ? { by: options.exceptRunId } : {}), ...(repaired.certificate ? { certificate: repaired.certificate } : {}) },
      },
    ]);
    report.repaired.push(repaired);
  }
  return report;
}
