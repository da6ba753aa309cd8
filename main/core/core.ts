/**
 * The core: the one composition root every front end starts from (README, "Architecture"). `fieldline` commands,
 * the station server and Electron's main process (both through createApp) get the store, the station CA, the
 * profiles, the runner, drift, replacement, repair, labels and the sync queue from here, assembled once and the
 * same way, from one data directory.
 *
 * Everything is opened on first use, never at creation: `fieldline runs list` opens the store and nothing else (no
 * passphrase is asked, no CA file read), `fieldline report` starts no profile worker and no drainer. close() closes
 * what was opened, in the order that lets each part finish: runs under way first (they roll back through the store),
 * then the queue's drainer, the profile worker, and the store last.
 */
import { hostname } from 'node:os';
import { openTarget } from '../device/target';
import { systemClock, type Clock } from '../contract/clock';
import { isFieldlineError } from '../errors';
import type { Logger } from '../log';
import type { Signer } from '../pki/types';
import type { LoadedProfile } from '../profiles/load';
import { keepRanProfile } from '../profiles/ran-profiles';
import { repairRuns, type RepairReport } from '../provisioning/repair';
import { replaceDevice, type ReplaceOptions, type ReplacementResult } from '../provisioning/replace';
import { openStore, type SqliteStore } from '../store/store';
import { createBleRadios, type BleRadios } from '../transport/ble/noble';
import type { BackoffPolicy } from '../sync/backoff';
import { createCaHolder, unlockAtStart, type CaHolder } from './ca';
import { driftOf, type DriftOutcome, type DriftRequest } from './drift';
import { createAppEvents, type AppEvents } from './events';
import { createLabelService, type LabelService } from './labels';
import { createOperatorService, type OperatorService } from './operators';
import { createProfileLibrary, type ProfileLibrary } from './profiles';
import { createQueueService, type QueueService } from './queue';
import { createRunner, type Runner } from './runner';
import { createServiceActions, type ServiceActions } from './service/service';
import { createServiceSources } from './service/sources';
import { createFileSecretStore, type SecretStore } from './secrets';
import { openStationSettings, type StationSettings } from './settings';
import { createVisitKit, type VisitKit } from './visit-kit';

export interface CoreOptions {
  /** Already resolved (resolveDataDir, or Electron's userData). */
  dataDir: string;
  logger: Logger;
  /** Recorded in every run and audit entry; default the host name. */
  station?: { name: string };
  /** Electron's safeStorage on the desktop; default: owner-only files in the data directory. */
  secrets?: SecretStore;
  /**
   * Asked the first time a signer is needed while the CA is locked (the CLI: FIELDLINE_CA_PASSPHRASE or a prompt).
   * Absent (the app): a locked CA stays locked until settings:unlock-ca, and a run fails with CA_LOCKED.
   */
  askPassphrase?: () => Promise<string>;
  /** Unlocks the CA in startStation() (the app: FIELDLINE_CA_PASSPHRASE, else a remembered passphrase). */
  caPassphrase?: string;
  /** For a CA whose key is in a PKCS#11 token: the PIN asked instead of the passphrase (the CLI: FIELDLINE_PKCS11_PIN or a prompt). */
  askPin?: () => Promise<string>;
  /** The token PIN startStation() unlocks a PKCS#11 CA with (the app: FIELDLINE_PKCS11_PIN). */
  caPin?: string;
  /** The example profiles offered beside the imported ones (the app's profile library). */
  examplesDir?: string;
  /** Refuse profiles not signed by a trusted publisher. */
  requireSignedProfiles?: boolean;
  /** Sync tuning (tests and the demo shorten the back-off). */
  sync?: { backoff?: Partial<BackoffPolicy>; pollMs?: number };
  /** Where runs and repairs take their times from (default the system's). */
  clock?: Clock;
  /**
   * The noble instances BLE runs go through. Default: the core's own, released by close(). A caller that gives its
   * own (a CLI command that checked the adapter before opening the core) keeps them loaded and releases them itself.
   */
  radios?: BleRadios;
}

/** A replacement as a front end asks for it: the core gives the store, the signer, the runner and the station. */
export type CoreReplaceOptions = Omit<ReplaceOptions, 'store' | 'signer' | 'run' | 'station'> & { station?: { name: string } };

export interface Core {
  readonly dataDir: string;
  readonly station: { name: string };
  readonly logger: Logger;
  readonly clock: Clock;
  /** Contract events of the parts that publish them (the queue); the app forwards them to its windows. */
  readonly events: AppEvents;
  /** The store, opened on the first call. */
  store(): SqliteStore;
  /** The station CA, locked until unlocked; its files are read only when asked. */
  readonly ca: CaHolder;
  /** The CA's signer, unlocking it first with askPassphrase when it is locked and one can be asked for. */
  signer(): Promise<Signer>;
  /** Operators, sign-in and the one permission check every front end calls (main/core/operators.ts). */
  readonly operators: OperatorService;
  /** The one way a run starts. */
  readonly runner: Runner;
  /** The noble instances of this core: its runs, the app's scans and drift checks load noble through them. */
  readonly radios: BleRadios;
  /** The station's profile library (imported and example profiles), its loader worker started on the first call. */
  profiles(): ProfileLibrary;
  settings(): Promise<StationSettings>;
  labels(): Promise<LabelService>;
  /** The sync queue, with a drainer while a registry is configured; started on the first call. */
  queue(): Promise<QueueService>;
  drift(request: DriftRequest): Promise<DriftOutcome>;
  /** The visit kit (main/core/visit-kit.ts) merged with this station's store; made on first use, reads files only when asked. */
  readonly visitKit: VisitKit;
  /** Field-service actions on a gateway (main/core/service/): inspect, diagnose, remediate, update, renew — each recorded. */
  readonly service: ServiceActions;
  replace(options: CoreReplaceOptions): Promise<ReplacementResult>;
  /** Puts right what killed runs left (main/provisioning/repair.ts); the signer is asked for only to revoke. */
  repair(actor: string): Promise<RepairReport>;
  /**
   * A station starting (the app): unlocks the CA with the passphrase at hand, then repairs what a station killed
   * mid-run left — before any new run. Neither failing stops the start; both are logged.
   */
  startStation(): Promise<void>;
  close(): Promise<void>;
}

/** A value made on the first call and kept; `made` says whether close() has something to close. */
function once<T>(make: () => T): { (): T; made: () => T | undefined } {
  let value: { v: T } | undefined;
  const get = (): T => (value ??= { v: make() }).v;
  return Object.assign(get, { made: () => value?.v });
}

export function createCore(options: CoreOptions): Core {
  const { dataDir, logger } = options;
  const station = options.station ?? { name: hostname() };
  const events = createAppEvents((err) => logger.error('an event listener failed', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
  const secrets = once(() => options.secrets ?? createFileSecretStore(dataDir));
  const store = once(() => openStore(dataDir));
  const ca = createCaHolder(dataDir, secrets(), logger.child('ca'));

  const signer = async (): Promise<Signer> => {
    if (!ca.ready) {
      const ask = (await ca.keyStore()) === 'pkcs11' ? options.askPin : options.askPassphrase;
      if (ask) await ca.unlock(await ask());
    }
    return ca.signer();
  };
  const clock = options.clock ?? systemClock;
  const radios = options.radios ?? createBleRadios();
  const operators = createOperatorService({ store, clock });
  const keepProfile = (profile: LoadedProfile): Promise<string> => keepRanProfile(dataDir, profile);
  const runner = createRunner({ store, signer, station, clock, radios, logger: logger.child('run'), keepProfile });
  const profiles = once(() => createProfileLibrary({ dataDir, examplesDir: options.examplesDir, requireSignature: options.requireSignedProfiles ?? false }));
  const settings = once(() => openStationSettings(dataDir, secrets()));
  const labels = once(async () => {
    const s = await settings();
    return createLabelService({ dataDir, store: store(), printer: () => s.printer(), operator: () => s.operator(), logger: logger.child('labels') });
  });
  // A poll of 0 means the default (5 s), never a busy loop.
  const queue = once(async () =>
    createQueueService({ dataDir, store: store(), settings: await settings(), events, logger: logger.child('sync'), backoff: options.sync?.backoff, pollMs: options.sync?.pollMs || undefined }),
  );

  const visitKit = once(() => createVisitKit({ dataDir, store, examplesDir: options.examplesDir, now: () => clock.now().getTime(), logger: logger.child('visit') }));

  const service = once(() =>
    createServiceActions({
      dataDir,
      store,
      signer,
      station,
      clock,
      logger: logger.child('service'),
      sources: createServiceSources({ dataDir, store, visitKit }),
      openSession: (target, sessionOptions) => openTarget(target, { ...sessionOptions, radios }),
    }),
  );

  const repair = (actor: string): Promise<RepairReport> => repairRuns({ store: store(), signer, actor, now: () => clock.now() });

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    // Runs first: they roll back through the store, which closes last.
    await attempt(() => runner.close());
    await attempt(() => service.made()?.close());
    const startedQueue = queue.made();
    if (startedQueue) await attempt(async () => (await startedQueue).close());
    await attempt(() => profiles.made()?.close());
    // The CA after the runs (a rollback may still revoke through it): ends a token session and finalises its module.
    await attempt(() => ca.close());
    await attempt(() => store.made()?.close());
    // After the runs, which may still hold a link; radios given by the caller are the caller's to release.
    if (!options.radios) await attempt(() => radios.release());
  };

  return {
    dataDir,
    station,
    logger,
    clock,
    events,
    store,
    ca,
    signer,
    operators,
    runner,
    radios,
    profiles,
    settings,
    labels,
    queue,
    drift: (request) => driftOf(store(), station, request),
    get visitKit() {
      return visitKit();
    },
    get service() {
      return service();
    },
    async replace(request) {
      return replaceDevice({ ...request, station: request.station ?? station, store: store(), signer: await signer(), run: runner.run });
    },
    repair,
    async startStation() {
      await unlockAtStart(ca, secrets(), options.caPassphrase, logger, options.caPin);
      await repair(`station:${station.name}`).then(
        (report) => report.repaired.length > 0 && logger.info('runs left unfinished were repaired', { runs: report.repaired.map((r) => r.id) }),
        (err: unknown) => logger.warn('runs left unfinished wait for repair (unlock the CA, or run fieldline repair)', { error: isFieldlineError(err) ? err.code : String(err) }),
      );
    },
    close: () => (closing ??= close()),
  };
}

async function attempt(close: () => Promise<unknown> | unknown): Promise<void> {
  try {
    await close();
  } catch {
    // Closing is best effort: one part failing to close must not keep the others open.
  }
}
