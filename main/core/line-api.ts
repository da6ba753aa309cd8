/**
 * The line service's types (main/core/line.ts, which re-exports them all): what it is built from, what a start asks
 * for, what a front end rendering the line receives, and its interface.
 */
import type { ScanBinding, StationRules } from '../station/orchestrator';
import type { LineState } from '../contract/line';
import type { Logger } from '../log';
import type { LoadedProfile } from '../profiles/load';
import type { Store } from '../store/types';
import type { CaHolder } from './ca';
import type { DeviceDiscovery } from './devices';
import type { AppEvents } from './events';
import type { LabelService } from './labels';
import type { SlotLabel } from './line-label';
import type { CreateWatch, LineSessionEvent } from './line-session';
import type { ProfileLibrary } from './profiles';
import type { RunRelease } from './release-gate';
import type { RunManager } from './runs';

export type { LineSessionEvent } from './line-session';

export interface LineOptions {
  events: AppEvents;
  devices: DeviceDiscovery;
  runs: RunManager;
  /** Profiles by the name a start gives (the Station screen's library); a start may bring its own loaded profile. */
  profiles: Pick<ProfileLibrary, 'loadForRun'>;
  ca: Pick<CaHolder, 'signer'>;
  store: Store;
  labels: LabelService;
  station: { name: string };
  /** The configured label printer: when set, every passing line run prints its label. */
  printer: () => string | undefined;
  logger: Logger;
  /** The simulator's ports directory (default `$FIELDLINE_PORTS_DIR` or `<tmp>/fieldline-ports`); false: none. */
  portsDir?: string | false;
  /** Watch USB serial ports (default true). */
  usb?: boolean;
  /** Port scan interval (default 500 ms). */
  pollMs?: number;
  /** KPIs are recomputed at most this often while runs end (default 1000 ms). */
  kpiIntervalMs?: number;
  /** A run whose port vanished is cancelled after this long (default: the orchestrator's 70 s). */
  goneAbortMs?: number;
  /** Injected for tests. */
  createWatch?: CreateWatch;
  now?: () => Date;
}

export interface LineStart {
  profilePath: string;
  /**
   * The profile already loaded, trusted and through the release gate by the front end (a file named on the command
   * line, main/core/release-gate.ts); default: profiles.loadForRun(profilePath).
   */
  profile?: LoadedProfile;
  /** The release `profile` is, as the front end's release gate found: named in every run record of the session. */
  release?: RunRelease;
  /** On a station that follows a release channel, a profile that is not one of its releases (audited). */
  allowUnreleased?: boolean;
  concurrency?: number;
  variables: Record<string, string>;
  requireScan?: boolean;
  /** Bluetooth LE gateways too: scanned for continuously while the line runs (main/core/ble-watch.ts). */
  ble?: boolean;
  /** Provision again the gateways whose last run with this profile passed (default: they are left alone): rework replace. */
  reprovision?: boolean;
  /** A rework session: the gateways that passed before are provisioned again, their identity kept or replaced. */
  rework?: 'keep' | 'replace';
  /** Which ports this session watches, over the service's defaults (`fieldline batch --ports`, `--no-virtual`). */
  ports?: { usb?: boolean; portsDir?: string | false; paths?: readonly string[] };
  /** Which watched ports are gateways (`fieldline batch --usb`, `--serial-pattern`, `--no-virtual`). */
  rules?: StationRules;
  /** Start at most this many runs (`fieldline batch --count`). */
  maxRuns?: number;
  /**
   * Who started the session, as audit entries name them: `operator:NAME` from the core's permission check
   * (main/core/operators.ts). The session's runs and its line.start/line.stop entries carry it; default `line`.
   */
  actor?: string;
}

/** What a front end rendering the line itself receives: the session's events, and each label printed after a pass. */
export type LineEvent = LineSessionEvent | { type: 'label'; port: string; runId: string; label: SlotLabel };

export interface LineService {
  state(): LineState;
  start(request: LineStart): Promise<LineState>;
  stop(): Promise<LineState>;
  scan(text: string, slot?: string): { slot: string; binding: ScanBinding };
  /** The operator's Stop on one slot (orchestrator stopSlot), audited under `actor` (else `line`). */
  stopSlot(port: string, actor?: string): LineState;
  /** The operator's Start / Retry on one slot (orchestrator startSlot), audited. */
  startSlot(port: string, actor?: string): LineState;
  /** The configured printer changed: the status shows where labels go. */
  refresh(): void;
  /** Every event of every session from now on, after the line has applied it. Returns the unsubscribe function. */
  subscribe(listener: (event: LineEvent) => void): () => void;
  close(): Promise<void>;
}
