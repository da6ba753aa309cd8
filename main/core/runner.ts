/**
 * The core's runner: the one production function that calls runProvisioning. Every front end — the app's run
 * manager (and through it the line and `fieldline batch`), `fieldline provision`, a replacement — starts its runs
 * here, so the store, the signer and the station a run is given are the core's and cannot differ per front end.
 * It also knows which runs are under way, so closing the core cancels them (they roll back) and waits for their
 * rollbacks before the store they write to is closed.
 */
import type { Clock } from '../contract/clock';
import type { RunRecord } from '../contract/run-record';
import { openTarget } from '../device/target';
import type { Logger } from '../log';
import type { Signer } from '../pki/types';
import type { LoadedProfile } from '../profiles/load';
import type { BleRadios } from '../transport/ble/noble';
import { runProvisioning, type OpenSession, type ProvisionOptions } from '../provisioning/runner';
import type { Store } from '../store/types';

/** What the core supplies to every run; a front end may pass its own station, session opener or clock (tests). */
type Supplied = 'store' | 'signer' | 'station' | 'openSession' | 'clock';

/** A run as a front end asks for it: everything but what the core supplies. */
export type RunOptions = Omit<ProvisionOptions, Supplied> & Partial<Pick<ProvisionOptions, 'station' | 'openSession' | 'clock'>>;

/** The function type the run manager and a replacement receive, so neither imports runProvisioning. */
export type RunFunction = (options: RunOptions) => Promise<RunRecord>;

export interface Runner {
  readonly run: RunFunction;
  /** Runs started and not yet ended. */
  readonly activeCount: number;
  /** Cancels the runs under way and waits for their rollbacks; later runs are refused. */
  close(): Promise<void>;
}

export interface RunnerDeps {
  store: () => Store;
  /** Asked once per run, before the device is opened (a locked CA fails the run before anything is written). */
  signer: () => Promise<Signer>;
  station: { name: string };
  logger: Logger;
  clock: Clock;
  /** Whose noble instances a BLE run is reached through (the core's). */
  radios: BleRadios;
  /** How a run reaches its gateway (default openTarget through `radios`: serial or BLE). */
  openSession?: OpenSession;
  /**
   * Keeps the exact bytes of the run's profile under the SHA-256 its record states (main/profiles/ran-profiles.ts),
   * before the device is opened: a record must never name a profile this station cannot produce, and sync sends
   * them on so another station's visit kit has them even for a profile that was never released.
   */
  keepProfile: (profile: LoadedProfile) => Promise<unknown>;
}

export function createRunner(deps: RunnerDeps): Runner {
  const active = new Map<AbortController, Promise<unknown>>();
  let closed = false;
  const openWithRadios: OpenSession = (target, options) => openTarget(target, { ...options, radios: deps.radios });

  const run: RunFunction = async (options) => {
    // A run started after close would write to a closed store: that is a bug in the caller, not a device failure.
    if (closed) throw new Error('the core is closed: no run can start');
    const signer = await deps.signer();
    await deps.keepProfile(options.profile);
    const controller = new AbortController();
    const outer = options.signal;
    const abort = (): void => controller.abort();
    if (outer?.aborted) controller.abort();
    else outer?.addEventListener('abort', abort, { once: true });
    const execution = runProvisioning({
      ...options,
      station: options.station ?? deps.station,
      logger: options.logger ?? deps.logger,
      openSession: options.openSession ?? deps.openSession ?? openWithRadios,
      clock: options.clock ?? deps.clock,
      store: deps.store(),
      signer,
      signal: controller.signal,
    });
    active.set(controller, execution.catch(() => {}));
    try {
      return await execution;
    } finally {
      active.delete(controller);
      outer?.removeEventListener('abort', abort);
    }
  };

  return {
    run,
    get activeCount() {
      return active.size;
    },
    async close() {
      closed = true;
      for (const controller of active.keys()) controller.abort();
      await Promise.allSettled([...active.values()]);
    },
  };
}
