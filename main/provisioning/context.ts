/** What the steps of one run share: the link, the inputs, and what earlier steps found or did. */
import type { Clock } from '../contract/clock';
import type { Progress } from '../contract/progress';
import type { GatewaySession } from '../device/session';
import type { Logger } from '../log';
import type { Signer } from '../pki/types';
import type { LoadedProfile } from '../profiles/load';
import type { ExistingIdentity } from '../profiles/schema';
import type { RenderedProfile } from '../profiles/template';
import type { Store } from '../store/types';
import type { CertificateRecord, DiagnosticResult, RunRecord, StepName, StepRecord } from '../contract/run-record';

export interface ProvisionEvents {
  onStepStart?(name: StepName): void;
  onStepEnd?(step: StepRecord): void;
  /** What a step is doing, in words ("waiting: reboot into the new image", "reconnected, resuming the upload"). */
  onStepMessage?(name: StepName, message: string): void;
  /** How far a step's transfer is (the firmware upload): the one progress event, already throttled at its source. */
  onProgress?(name: StepName, progress: Progress): void;
  onDiagnostic?(result: DiagnosticResult): void;
}

/** The device's state before the run: what rollback restores. Values hex; null = absent. */
export interface Snapshot {
  settings: Record<string, string | null>;
  files: Record<string, string | null>;
}

export interface IssuedIdentity {
  der: Uint8Array;
  serial: string;
  mode: 'csr' | 'inject';
  /** Whether this run created a key on the device (csr) or files (inject) that rollback must remove. */
  touchedDevice: boolean;
}

export interface RunContext {
  session: GatewaySession;
  /** Re-opens the port (after a reset the device may re-enumerate) and waits until it answers. */
  waitForDevice(reason: string, timeoutMs?: number): Promise<void>;
  profile: LoadedProfile;
  signer: Signer;
  store: Store;
  station: { name: string };
  /** Who the run's audit entries name (ProvisionOptions.actor, or `station:NAME`). */
  actor: string;
  variables: Record<string, string>;
  logger: Logger;
  /** The run's time: steps read it, never the system clock. */
  clock: Clock;
  events: ProvisionEvents;
  signal: AbortSignal;
  /**
   * What to do with an identity the device already holds in service: the run's rework mode when it has one
   * (`--reprovision` is replace), else the profile's `identity.existing`.
   */
  identityExisting: ExistingIdentity;
  /** The serial on the board's label (scanned at the station); the device must report the same. */
  expectedSerial?: string;
  record: RunRecord;
  /**
   * Saves the record now, with an audit line: the write-ahead point before the run creates something outside the
   * store (a certificate sent to the device), so a kill right after leaves a record that names it.
   */
  checkpoint(action: string, details?: Record<string, unknown>): void;
  // Filled in as the run goes:
  serial?: string;
  firmwareBefore?: string;
  snapshot?: Snapshot;
  rendered?: RenderedProfile;
  /** Set when this run (or the interrupted run it repairs) put a new image in test mode. */
  firmwareUpdate?: { version: string; hash: string };
  /** What the identity step issued; a kept identity is here too (serial empty: nothing to revoke, nothing to erase). */
  identity?: IssuedIdentity;
  /**
   * The certificate the identity step kept. The record names it only once the run passed: the store's register
   * takes a failed run's certificate for one that never went into service, and this one is in service.
   */
  keptCertificate?: CertificateRecord;
  configurationHash?: string;
  /** What the configuration step has written so far: rollback restores exactly these. */
  written: { settings: Set<string>; files: Set<string> };
  /** The run this one repairs (same device, interrupted). */
  previous?: RunRecord;
}

export type Step = (ctx: RunContext) => Promise<Record<string, unknown>>;
