/**
 * Device replacement (`fieldline replace`, the app's replace:start): a technician swaps a broken gateway for a new
 * one. The new unit is provisioned by the normal pipeline with the old unit's variables (from its last passed run);
 * only once that run passed is the old unit's certificate revoked (reason `replaced`) and the two linked — the new
 * record's `replaces`, the store's replacement row (written in the same transaction as the passed record) and,
 * after sync, the registry's device look-up. A failed new run leaves the old certificate valid and no link.
 */
import { FieldlineError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { openTarget, type DeviceTarget } from '../device/target';
import type { BleRadios } from '../transport/ble/noble';
import type { LoadedProfile } from '../profiles/load';
import type { Signer } from '../pki/types';
import { lastPassedRun } from '../store/find-run';
import type { Store } from '../store/types';
import type { RunRecord } from '../contract/run-record';
import type { ProvisionOptions } from './runner';
import { readSerial } from './steps/identify';

/** What a replacement takes over from the old unit. */
export interface ReplacementPlan {
  oldSerial: string;
  /** The old unit's last passed run: its variables are the new unit's. */
  oldRun: RunRecord;
}

/** How a replacement ended, beside the new unit's run record. */
export interface ReplacementResult {
  record: RunRecord;
  /** True once the old certificate is revoked and the link written (then `record.replaces` names the old unit). */
  replaced: boolean;
  /** Certificates of the old unit revoked now (lower-case hex serials). */
  revoked: string[];
  /** Why a passed run still did not replace the old unit (a revocation that failed). */
  problem?: { code: string; message: string };
}

/**
 * The old unit's last passed run, refused when there is none or when the unit was already replaced. Serials are
 * compared upper-case: that is how identify records them.
 */
export function planReplacement(store: Store, oldSerial: string): ReplacementPlan {
  const serial = oldSerial.trim().toUpperCase();
  const linked = store.deviceLinks(serial).replacedBy;
  if (linked !== undefined) {
    throw new FieldlineError('REPLACE_ALREADY_REPLACED', `${serial} was already replaced by ${linked}`, { serial, replacedBy: linked });
  }
  const oldRun = lastPassedRun(store, serial);
  if (!oldRun) {
    throw new FieldlineError('REPLACE_NO_PASSED_RUN', `${serial} has no passed run in this station's store`, { serial });
  }
  return { oldSerial: serial, oldRun };
}

/**
 * Reads the new unit's serial before anything is written to it, and refuses the old unit itself (connected by
 * mistake, it would be provisioned over and then have its own certificate revoked).
 */
export async function checkNewUnit(
  target: DeviceTarget,
  profile: LoadedProfile,
  plan: ReplacementPlan,
  options: { logger?: Logger; timeoutMs?: number; radios?: BleRadios } = {},
): Promise<string> {
  const session = await openTarget(target, {
    logger: options.logger ?? silentLogger,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.radios ? { radios: options.radios } : {}),
  });
  try {
    const serial = await readSerial({ session, profile });
    if (serial === plan.oldSerial) {
      throw new FieldlineError('REPLACE_SAME_DEVICE', `the unit on ${session.location} reports ${serial}, the serial of the unit to replace`, { serial });
    }
    return serial;
  } finally {
    await session.close().catch(() => {});
  }
}

/** What the run function supplies itself (the core's runner: its store, signer, session opener and clock). */
type RunSupplied = 'signer' | 'store' | 'openSession' | 'clock';

export interface ReplaceOptions extends Omit<ProvisionOptions, 'variables' | 'onPassed' | RunSupplied> {
  plan: ReplacementPlan;
  /** Revokes the old unit's certificates. */
  signer: Signer;
  store: Store;
  /** Starts the new unit's run: the core's runner (main/core/runner.ts), the one caller of runProvisioning. */
  run: (options: Omit<ProvisionOptions, RunSupplied>) => Promise<RunRecord>;
}

/**
 * Provisions the new unit with the old unit's variables and, if the run passes, revokes the old unit's certificates
 * and links the two. The new unit's serial should have been checked with checkNewUnit; it is checked again on the
 * record, since the unit on a port can change between the two.
 */
export async function replaceDevice(options: ReplaceOptions): Promise<ReplacementResult> {
  const { plan, store, signer } = options;
  // The operator who asked (issue #14) names the replacement's entries and, through runOptions, its run's.
  const actor = options.actor ?? `station:${options.station.name}`;
  const audit = (action: string, details: Record<string, unknown>): void => {
    store.appendAudit({ actor, action, subject: plan.oldSerial, details });
  };
  audit('replace.start', { oldRun: plan.oldRun.id, profile: `${options.profile.profile.name}@${options.profile.profile.version}` });
  const result: Omit<ReplacementResult, 'record'> = { replaced: false, revoked: [] };

  const onPassed = async (record: RunRecord): Promise<void> => {
    if (record.device.serial === plan.oldSerial) {
      result.problem = { code: 'REPLACE_SAME_DEVICE', message: `the new run's device reports ${plan.oldSerial}, the unit to replace` };
      return;
    }
    const certificates = store.listCertificates({ deviceSerial: plan.oldSerial }).filter((c) => c.state !== 'revoked');
    try {
      for (const cert of certificates) {
        await signer.revoke(cert.serial, 'replaced');
        result.revoked.push(cert.serial);
      }
    } catch (err) {
      // The new unit passed, but the old one keeps a valid certificate: no link, so the record does not claim it.
      const message = err instanceof Error ? err.message : String(err);
      result.problem = { code: err instanceof FieldlineError ? err.code : 'INTERNAL', message: `the old unit's certificate was not revoked: ${message}` };
      audit('replace.revoke-failed', { run: record.id, revoked: result.revoked, error: result.problem.code });
      return;
    }
    // The old run's own record says its certificate is revoked now; its register row follows (main/store/certificates.ts).
    const oldRecord = plan.oldRun.certificate ? { ...plan.oldRun, certificate: { ...plan.oldRun.certificate, revoked: true } } : plan.oldRun;
    try {
      store.saveRun(oldRecord, [{ actor, action: 'replace.revoke', subject: plan.oldSerial, details: { certificates: result.revoked, reason: 'replaced', by: record.device.serial } }]);
    } catch (err) {
      // Revoked on the CA's list, but the store could not say so (a full disk): no link, and the words say what is true.
      const code = err instanceof FieldlineError ? err.code : 'INTERNAL';
      result.problem = { code, message: `the old unit's certificate was revoked, but the store could not record it: ${err instanceof Error ? err.message : String(err)}` };
      return;
    }
    record.replaces = plan.oldSerial;
    result.replaced = true;
  };

  // The run is given the replacement's run options only: its store and signer are the run function's own (the core's).
  const { plan: _plan, signer: _signer, store: _store, run, ...runOptions } = options;
  const record = await run({ ...runOptions, variables: plan.oldRun.variables, onPassed });
  if (result.replaced) {
    audit('replace.linked', { run: record.id, replacedBy: record.device.serial });
  } else {
    // A failed run never reached onPassed: the old certificate stays valid and nothing is linked.
    audit('replace.not-done', { run: record.id, outcome: record.outcome, ...(result.problem ? { problem: result.problem.code } : {}) });
  }
  return { record, ...result };
}
