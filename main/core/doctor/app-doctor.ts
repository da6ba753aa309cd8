/**
 * The app's doctor (doctor:run): this machine's probes and the station's, with a locked CA pointed at Settings —
 * the app never asks for a passphrase here. Calls that arrive while a run is under way (the start-up banner and the
 * Doctor screen opened at once, two windows) share that run instead of probing the machine twice.
 */
import type { DoctorReport } from '../../contract/doctor';
import type { Core } from '../core';
import { runDoctor } from './doctor';
import { stationProbes } from './station-probes';
import { systemProbes } from './system-probes';

export function createAppDoctor(core: Pick<Core, 'dataDir' | 'ca' | 'settings' | 'store' | 'profiles'>): () => Promise<DoctorReport> {
  let running: Promise<DoctorReport> | undefined;
  return () => {
    running ??= runDoctor({ ...systemProbes(), ...stationProbes(core, { unlock: 'settings' }), dataDir: core.dataDir }).finally(() => {
      running = undefined;
    });
    return running;
  };
}
