/**
 * The basis of a service action: the provisioning run a device's golden configuration comes from — its newest passed
 * provisioning run, in the store or the visit kit (a service record is never one) — and the profile that run used,
 * found by the SHA-256 of its bytes, never picked by hand. A technician cannot service a device against the wrong
 * profile by choosing it from a list.
 */
import type { ServiceBasis } from '../../contract/service';
import { FieldlineError } from '../../errors';
import { loadProfile, type LoadedProfile } from '../../profiles/load';
import type { ServiceSources, SourcedRun } from './sources';

export interface FoundBasis {
  info: ServiceBasis;
  run: SourcedRun;
  /** Absent when the profile's bytes are nowhere at hand (inspect still reports the rest). */
  profile?: LoadedProfile;
}

/** The basis of the device with this history, its profile loaded when found; SERVICE_NO_BASIS when it has none. */
export async function findBasis(sources: ServiceSources, serial: string, history: readonly SourcedRun[]): Promise<FoundBasis> {
  const run = sources.provisionedBy(serial);
  if (!run) {
    const known = history.length === 0 ? 'no record of it' : `${history.length} record(s) of it, none a passed provisioning run`;
    throw new FieldlineError('SERVICE_NO_BASIS', `${serial}: this station's store and visit kit hold ${known}`, { serial });
  }
  const { record } = run;
  const found = sources.profileBySha(record.profile.sha256);
  const info: ServiceBasis = {
    runId: record.id,
    source: run.source,
    startedAt: record.startedAt,
    outcome: record.outcome,
    station: record.station.name,
    profile: { name: record.profile.name, version: record.profile.version, sha256: record.profile.sha256 },
    variables: record.variables,
  };
  if (!found) return { info, run };
  // Not its firmware image: a pulled release keeps the image apart, by hash, and no service action installs the basis's.
  const profile = await loadProfile(found.path, { checkFiles: false });
  // The file was found by its hash; a file changed since is not the profile the run used.
  if (profile.sha256 !== record.profile.sha256) return { info, run };
  return { info: { ...info, profileFound: found }, run, profile };
}

/** The basis with its profile, or SERVICE_PROFILE_UNAVAILABLE: what every action that renders the profile needs. */
export function requireProfile(basis: FoundBasis): LoadedProfile {
  if (basis.profile) return basis.profile;
  const { name, version, sha256 } = basis.info.profile;
  throw new FieldlineError('SERVICE_PROFILE_UNAVAILABLE', `${name}@${version} (SHA-256 ${sha256.slice(0, 16)}…) is neither in the visit kit nor in this station's profiles`, {
    sha256,
  });
}
