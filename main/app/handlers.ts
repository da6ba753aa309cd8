/**
 * Every contract method, answered by the app's parts. Arguments arrive parsed and bounded by the contract
 * (createDispatch); each handler is a line or two that hands them to the part that owns the job. The type
 * MethodHandlers makes a missing or misspelt method a compile error.
 */
import type { MethodHandlers } from '../contract/dispatch';
import type { Settings } from '../contract/settings';
import { listSerialPorts } from '../transport/serial';
import type { CaHolder } from './ca';
import type { DeviceDiscovery } from './devices';
import type { DriftService } from './drift';
import type { AppEvents } from './events';
import type { ProfileLibrary } from './profiles';
import type { QueueService } from './queue';
import type { RunManager } from './runs';
import type { StationSettings } from './settings';
import type { StationStatusPublisher } from './station';

export interface AppParts {
  appInfo: { name: string; version: string };
  dataDir: string;
  events: AppEvents;
  devices: DeviceDiscovery;
  runs: RunManager;
  profiles: ProfileLibrary;
  queue: QueueService;
  drift: DriftService;
  settings: StationSettings;
  ca: CaHolder;
  station: StationStatusPublisher;
}

export function createHandlers(parts: AppParts): MethodHandlers {
  const { devices, runs, profiles, queue, drift, settings, ca, station, events } = parts;

  const currentSettings = async (): Promise<Settings> => {
    const url = await settings.registryUrl();
    const caState = await ca.state();
    return {
      ...(url ? { registryUrl: url } : {}),
      tokenSet: await settings.tokenSet(),
      operator: settings.operator(),
      dataDir: parts.dataDir,
      ca: caState,
    };
  };

  /** After a change: the new settings to the caller and to every other window. */
  const changed = async (): Promise<Settings> => {
    const next = await currentSettings();
    events.emit('settings:changed', next);
    station.refresh();
    return next;
  };

  return {
    'app:version': () => parts.appInfo,
    'ports:list': () => listSerialPorts(),

    'devices:list': () => devices.list(),
    'devices:add-port': ({ path }) => devices.addPort(path),

    'provision:start': (request) => runs.start(request),
    'provision:cancel': ({ runId }) => runs.cancel(runId),
    'runs:get': ({ runId }) => runs.get(runId),
    'runs:log': ({ runId }) => runs.log(runId),
    'runs:list': (query) => runs.list(query ?? {}),

    'profiles:list': () => profiles.list(),
    'profiles:get': ({ path }) => profiles.get(path),
    'profiles:import': async (input) => {
      const details = await profiles.import(input);
      events.emit('profiles:changed', { count: (await profiles.list()).length });
      return details;
    },

    'queue:status': () => queue.status(),
    'queue:sync-now': () => queue.syncNow(),
    'queue:export-bundle': () => queue.exportBundle(),

    'drift:check': (request) => drift.check(request),
    'drift:fix': (request) => drift.fix(request),

    'station:status': () => station.current(),

    'settings:get': () => currentSettings(),
    'settings:set-registry': async ({ url, token }) => {
      await settings.setRegistry(url, token);
      await queue.reconfigure();
      return changed();
    },
    'settings:set-operator': async ({ name }) => {
      await settings.setOperator(name);
      return changed();
    },
    'settings:unlock-ca': async ({ passphrase, remember }) => {
      await ca.unlock(passphrase, remember ?? false);
      return changed();
    },
  };
}
