/**
 * The line without the app around it: what `fieldline batch` runs. The same line service as the Station screen's
 * (main/core/line.ts), on the same kind of run manager, built on the core's parts (its store, CA, runner, settings,
 * labels and event bus) — only device discovery differs: nothing is polled, because the line's own port watch finds
 * the gateways and each one is added to discovery as its run starts.
 */
import type { Logger } from '../log';
import { createDeviceDiscovery } from './devices';
import type { LabelService } from './labels';
import { createLineService, type LineService } from './line';
import type { ProfileForRun } from './profiles';
import type { ReleaseGate } from './release-gate';
import { createCoreRunManager, type RunManagerCore } from './runs';
import type { StationSettings } from './settings';

/** What the line takes from the core (main/core/core.ts's Core has all of it). */
export interface LineCore extends RunManagerCore {
  settings(): Promise<StationSettings>;
  labels(): Promise<LabelService>;
}

export interface HeadlessLineOptions {
  /**
   * How a profile is named and trusted by this front end (a file on the command line, its signature checked), through
   * the release gate (main/core/release-gate.ts).
   */
  loadProfile: (path: string, gate: ReleaseGate) => Promise<ProfileForRun>;
  logger: Logger;
  baudRate?: number;
  /** Per-request timeout, ms. */
  timeoutMs?: number;
}

export interface HeadlessLine {
  readonly line: LineService;
  /** Stops the line (its runs roll back), then the run manager; the core is the caller's to close. */
  close(): Promise<void>;
}

export async function openHeadlessLine(core: LineCore, options: HeadlessLineOptions): Promise<HeadlessLine> {
  const { events, station, ca } = core;
  const store = core.store();
  const settings = await core.settings();
  const labels = await core.labels();
  const profiles = { loadForRun: options.loadProfile };
  const devices = createDeviceDiscovery({ events, logger: options.logger.child('devices'), pollMs: 0 });
  const runs = createCoreRunManager(
    core,
    { devices, profiles, operator: () => settings.operator(), logger: options.logger.child('runs') },
    { baudRate: options.baudRate, timeoutMs: options.timeoutMs },
  );
  const line = createLineService({ events, devices, runs, profiles, ca, store, labels, station, printer: () => settings.printer(), logger: options.logger.child('line') });
  return {
    line,
    async close() {
      // The line first (it cancels its runs through the run manager), then whatever runs are left, then discovery.
      await line.close();
      await runs.close();
      devices.close();
    },
  };
}
