/**
 * Inspect: what a technician needs to see of a connected gateway before touching it — who it is (serial, the
 * certificate in its identity slot: subject, fingerprint, expiry, revoked or not), its image slots, its history from
 * the store and the visit kit, the provisioning run its golden configuration comes from and that run's profile (found
 * by hash, never picked), drift against that profile and against the current release of its name, and what needs
 * doing. It only reads: nothing is written to the device or recorded.
 */
import type { Clock } from '../../contract/clock';
import type { Difference } from '../../contract/drift';
import type { ServiceCertificate, ServiceHistoryEntry, ServiceInspection, ServiceTodo } from '../../contract/service';
import type { GatewaySession } from '../../device/session';
import { compareVersions } from '../../device/mcuboot-image';
import { FieldlineError } from '../../errors';
import { loadProfile, type LoadedProfile } from '../../profiles/load';
import { DEFAULT_IDENTIFY } from '../../profiles/schema';
import { checkDrift, type DriftReport } from '../../provisioning/drift';
import { readRunningVersion, readSerialWith } from '../../provisioning/steps/identify';
import { readState } from '../../smp/groups/image';
import type { Store } from '../../store/types';
import { findBasis, type FoundBasis } from './basis';
import { readSlotCertificate, type DeviceCertificate } from './observe';
import type { ServiceSources, SourcedRun } from './sources';
import { releasedFirmwareVersion } from './update';

/** A certificate that expires within this many days is a to-do. */
export const RENEW_WITHIN_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface InspectDeps {
  store: Store;
  station: { name: string };
  clock: Clock;
  sources: ServiceSources;
}

export type Inspection = Omit<ServiceInspection, 'deviceId'>;

function historyEntry({ record, source }: SourcedRun): ServiceHistoryEntry {
  return {
    runId: record.id,
    source,
    startedAt: record.startedAt,
    endedAt: record.endedAt,
    outcome: record.outcome,
    station: record.station.name,
    profile: { name: record.profile.name, version: record.profile.version },
    ...(record.device.firmwareAfter ? { firmware: record.device.firmwareAfter } : {}),
    ...(record.certificate ? { certificateFingerprint: record.certificate.fingerprintSha256 } : {}),
    ...(record.service ? { service: { action: record.service.action, operator: record.service.operator } } : {}),
  };
}

function certificateInfo(cert: DeviceCertificate, sources: ServiceSources, now: Date): ServiceCertificate {
  const status = sources.revocation({ serial: cert.serial, issuer: cert.issuer, fingerprint: cert.fingerprintSha256 });
  return {
    serial: cert.serial,
    subject: cert.subject,
    issuer: cert.issuer,
    fingerprintSha256: cert.fingerprintSha256,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    expiresInDays: Math.floor((Date.parse(cert.notAfter) - now.getTime()) / DAY_MS),
    revoked: status.revoked,
    ...(status.reason ? { revokedReason: status.reason } : {}),
    issuedHere: sources.issuedHere(cert.fingerprintSha256),
  };
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "2 settings drifted", "1 file drifted": the fixable differences, in words. */
export function driftTodo(differences: readonly Difference[]): ServiceTodo | undefined {
  const settings = differences.filter((d) => d.fixable && d.kind === 'setting').length;
  const files = differences.filter((d) => d.fixable && d.kind === 'file').length;
  const parts = [settings ? plural(settings, 'setting') : '', files ? plural(files, 'file') : ''].filter(Boolean);
  return parts.length ? { kind: 'drift', message: `${parts.join(' and ')} drifted`, action: 'remediate' } : undefined;
}

export function certificateTodos(identity: ServiceCertificate | null): ServiceTodo[] {
  if (!identity) return [];
  const todos: ServiceTodo[] = [];
  if (identity.revoked) todos.push({ kind: 'certificate-revoked', message: 'certificate revoked', action: 'renew' });
  if (identity.expiresInDays < 0) todos.push({ kind: 'certificate-expired', message: `certificate expired ${plural(-identity.expiresInDays, 'day')} ago`, action: 'renew' });
  else if (identity.expiresInDays <= RENEW_WITHIN_DAYS) todos.push({ kind: 'certificate-expiring', message: `certificate expires in ${plural(identity.expiresInDays, 'day')}`, action: 'renew' });
  return todos;
}

async function driftOrNull(session: GatewaySession, deps: InspectDeps, profile: LoadedProfile, variables: Record<string, string>): Promise<DriftReport | null> {
  try {
    return (await checkDrift({ session, profile, store: deps.store, station: deps.station, variables })).report;
  } catch (err) {
    // A release whose variables the basis run does not fill cannot be rendered for this device: no drift to show.
    if (err instanceof FieldlineError && err.code === 'INVALID_ARGUMENT') return null;
    throw err;
  }
}

export async function inspectDevice(session: GatewaySession, deps: InspectDeps): Promise<Inspection> {
  const { sources } = deps;
  const serial = await readSerialWith(session, DEFAULT_IDENTIFY);
  const firmware = await readRunningVersion({ session });
  const history = sources.history(serial);
  let basis: FoundBasis | undefined;
  try {
    basis = await findBasis(sources, serial, history);
  } catch (err) {
    if (!(err instanceof FieldlineError && err.code === 'SERVICE_NO_BASIS')) throw err;
  }
  const todos: ServiceTodo[] = [];
  const slots = (await readState(session.client)).map((s) => ({
    slot: s.slot,
    version: s.version,
    ...(s.hash ? { hash: s.hash } : {}),
    active: s.active,
    confirmed: s.confirmed,
    pending: s.pending,
    permanent: s.permanent,
  }));
  const held = await readSlotCertificate(session, basis?.profile);
  const identity = held ? certificateInfo(held, sources, deps.clock.now()) : null;
  todos.push(...certificateTodos(identity));

  let provisioned: DriftReport | null = null;
  let releaseDrift: DriftReport | null = null;
  let release: Inspection['release'] = null;
  if (!basis) {
    todos.push({ kind: 'no-basis', message: 'no passed provisioning run of this device is known here or in the visit kit' });
  } else if (!basis.profile) {
    todos.push({ kind: 'no-profile', message: `profile ${basis.info.profile.name}@${basis.info.profile.version} is not at hand (prepare a visit kit)` });
  } else {
    const variables = basis.run.record.variables;
    provisioned = await driftOrNull(session, deps, basis.profile, variables);
    const drifted = provisioned ? driftTodo(provisioned.differences) : undefined;
    if (drifted) todos.push(drifted);
    const latest = sources.latestProfile(basis.profile.profile.name);
    if (latest) {
      const current = latest.sha256 === basis.profile.sha256 ? basis.profile : await loadProfile(latest.path, { checkFiles: false });
      const releasedFirmware = await releasedFirmwareVersion(current, sources);
      release = { name: basis.profile.profile.name, version: latest.version, ...(releasedFirmware ? { firmware: releasedFirmware } : {}) };
      if (releasedFirmware && compareVersions(releasedFirmware, firmware, false) > 0) {
        todos.push({ kind: 'firmware', message: `firmware ${firmware} → ${releasedFirmware} released`, action: 'update' });
      }
      if (current !== basis.profile) {
        releaseDrift = await driftOrNull(session, deps, current, variables);
        const n = releaseDrift?.differences.length ?? 0;
        if (n > 0) todos.push({ kind: 'release-drift', message: `${plural(n, 'difference')} from the current release ${basis.profile.profile.name}@${latest.version}` });
      }
    }
  }
  return {
    serial,
    location: session.location,
    firmware,
    identity,
    slots,
    history: history.map(historyEntry),
    basis: basis?.info ?? null,
    drift: { provisioned, release: releaseDrift },
    release,
    todos,
  };
}
