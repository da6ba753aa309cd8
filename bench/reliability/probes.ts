/** The report's probes, in the order the report shows them. Each lives in its own file beside this one. */
import { faultMatrixProbe } from './fault-matrix';
import { killMatrixProbe } from './kill-matrix';
import { profileFuzzProbe } from './profile-fuzz';
import { registryProbe } from './registry';
import type { ReliabilityProbe } from './section';
import { storeFaultsProbe } from './store-faults';
import { stationSecretsProbe } from './station-secrets';
import { websocketProbe } from './websocket';

export const PROBES: ReliabilityProbe[] = [faultMatrixProbe, killMatrixProbe, storeFaultsProbe, registryProbe, stationSecretsProbe, websocketProbe, profileFuzzProbe];
