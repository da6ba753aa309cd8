/**
 * The environment doctor (issue #17): every check family on one set of probes, run at once. `fieldline doctor` and
 * the app's `doctor:run` both call runDoctor; only their probes differ (the CLI's may ask for the CA passphrase that
 * FIELDLINE_CA_PASSPHRASE gives, the app's point at Settings).
 */
import type { DoctorReport } from '../../contract/doctor';
import { bluetoothChecks } from './bluetooth';
import type { CheckDefinition } from './check';
import { dataDirChecks } from './data-dir';
import type { DoctorProbes } from './probes';
import { profileChecks } from './profiles';
import { registryChecks } from './registry';
import { runChecks } from './run';
import { serialChecks } from './serial';
import { serialOsChecks } from './serial-os';
import { caChecks } from './station-ca';
import { storeChecks } from './store';
import { toolChecks } from './tools';

/** Every check, in the order the report lists them. */
export function doctorChecks(probes: DoctorProbes): CheckDefinition[] {
  return [
    ...serialChecks(probes),
    ...serialOsChecks(probes),
    ...bluetoothChecks(probes),
    ...caChecks(probes),
    ...registryChecks(probes),
    ...dataDirChecks(probes),
    ...storeChecks(probes),
    ...toolChecks(probes),
    ...profileChecks(probes),
  ];
}

export async function runDoctor(probes: DoctorProbes, options: { timeoutMs?: number } = {}): Promise<DoctorReport> {
  return runChecks(doctorChecks(probes), { platform: await probes.platform(), now: probes.now, ...options });
}
