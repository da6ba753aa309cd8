/**
 * Every contract method, answered by the app's parts. Arguments arrive parsed and bounded by the contract
 * (createDispatch); each handler is a line or two that hands them to the part that owns the job. The type
 * MethodHandlers makes a missing or misspelt method a compile error.
 *
 * The handlers are made per operator session (a window, a browser tab): its session:* methods are its own, and every
 * other method passes the core's permission check for its operator first (guardHandlers).
 */
import type { MethodHandlers } from '../contract/dispatch';
import { guardHandlers, type RuleContext } from '../core/method-permissions';
import { checkRegistry } from '../core/registry-check';
import type { OperatorSession } from './operator-session';
import type { Settings } from '../contract/settings';
import type { DoctorReport } from '../contract/doctor';
import { parsePrinterTarget } from '../station/labels';
import { createSerialPortLister } from '../transport/serial';
import type { BleConfig } from '../core/ble';
import type { ConsoleService } from '../core/console/service';
import type { CaHolder } from '../core/ca';
import type { DeviceDiscovery } from '../core/devices';
import type { DriftService } from '../core/drift-service';
import type { LabelService } from '../core/labels';
import type { LineService } from '../core/line';
import type { AppEvents } from '../core/events';
import type { ProfileLibrary } from '../core/profiles';
import type { QueueService } from '../core/queue';
import type { ReplaceService } from '../core/replace-service';
import type { DeviceService } from '../core/service/station';
import type { RunManager } from '../core/runs';
import type { StationSettings } from '../core/settings';
import type { StationStatusPublisher } from '../core/station';

export interface AppParts {
  appInfo: { name: string; version: string };
  dataDir: string;
  events: AppEvents;
  devices: DeviceDiscovery;
  runs: RunManager;
  profiles: ProfileLibrary;
  queue: QueueService;
  drift: DriftService;
  replace: ReplaceService;
  /** Field-service actions on a listed device (service:*). */
  service: DeviceService;
  /** The device console (console:*): a gateway looked at by hand. */
  console: ConsoleService;
  settings: StationSettings;
  ca: CaHolder;
  station: StationStatusPublisher;
  line: LineService;
  labels: LabelService;
  /** The Bluetooth adapter in force (throws INVALID_ARGUMENT for an unknown FIELDLINE_BLE_ADAPTER). */
  ble: () => BleConfig;
  /** Runs the environment doctor (doctor:run). */
  doctor: () => Promise<DoctorReport>;
  /** Appends to the store's audit log: who changed which station setting. */
  audit: (entry: { actor: string; action: string; subject: string; details?: Record<string, unknown> }) => void;
}

/** The parts' handlers, made once; then, per session, those handlers behind that session's operator check. */
export function createHandlers(parts: AppParts): (session: OperatorSession) => MethodHandlers {
  const { devices, runs, profiles, queue, drift, replace, settings, ca, station, events, line, labels } = parts;
  // ports:list's own lister (its udevadm check made once for these handlers).
  const ports = createSerialPortLister();

  const currentSettings = async (): Promise<Settings> => {
    const url = await settings.registryUrl();
    const caState = await ca.state();
    let ble: Settings['ble'];
    try {
      const { adapter, source } = parts.ble();
      ble = { adapter, source };
    } catch {
      // An unknown FIELDLINE_BLE_ADAPTER: Settings shows no adapter, and the first scan says what is wrong.
      ble = undefined;
    }
    return {
      ...(url ? { registryUrl: url } : {}),
      tokenSet: await settings.tokenSet(),
      operator: settings.operator(),
      dataDir: parts.dataDir,
      ...(settings.printer() ? { printer: settings.printer() } : {}),
      ...(ble ? { ble } : {}),
      idleLockMinutes: settings.idleLockMinutes(),
      fixtureLabels: settings.fixtureLabels(),
      operatorSound: settings.operatorSound(),
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

  /**
   * One session's handlers. Its operator's `operator:NAME` goes with each request whose work is audited, so the entry
   * names who did it; without a sign-in (a station without operators) the services name the settings' operator.
   */
  const handlersOf = (session: OperatorSession): Omit<MethodHandlers, `session:${string}`> => {
    const by = (): { actor?: string } => {
      const actor = session.actor();
      return actor === undefined ? {} : { actor };
    };
    /**
     * A settings change is audited once it took effect, under the operator who made it (the settings' free-text
     * name on a station without operators). Only what changed goes in: a token or passphrase never does.
     */
    const audited = (action: string, subject: string, details: Record<string, unknown> = {}): void => {
      parts.audit({ actor: session.actor() ?? `operator:${settings.operator() || 'unknown'}`, action, subject, details });
    };
    return {
      'app:version': () => parts.appInfo,
      'ports:list': () => ports.list(),
      'doctor:run': () => parts.doctor(),

      'devices:list': () => devices.list(),
      'devices:add-port': ({ path }) => devices.addPort(path),
      'devices:scan-ble': (request) => devices.scanBle(request?.durationMs),

      'provision:start': (request) => runs.start(request, by()),
      'provision:cancel': ({ runId }) => runs.cancel(runId),
      'runs:get': ({ runId }) => runs.get(runId),
      'runs:log': ({ runId }) => runs.log(runId),
      'runs:list': (query) => runs.list(query ?? {}),
      'runs:certificate': ({ runId }) => runs.certificate(runId),

      'profiles:list': () => profiles.list(),
      'profiles:get': ({ path }) => profiles.get(path),
      'profiles:import': async (input) => {
        const details = await profiles.import(input);
        events.emit('profiles:changed', { count: (await profiles.list()).length });
        return details;
      },

      'queue:status': () => queue.status(),
      'queue:list': (request) => queue.list(request?.limit ?? 100),
      'queue:sync-now': () => queue.syncNow(),
      'queue:export-bundle': () => queue.exportBundle(),

      'drift:check': (request) => drift.check({ ...request, ...by() }),
      'drift:fix': (request) => drift.fix({ ...request, ...by() }),
      'replace:start': (request) => replace.replace({ ...request, ...by() }),
      'service:inspect': (request) => parts.service.inspect(request),
      'service:diagnose': (request) => parts.service.diagnose({ ...request, ...by() }),
      'service:remediate': (request) => parts.service.remediate({ ...request, ...by() }),
      'service:update': (request) => parts.service.update({ ...request, ...by() }),
      'service:renew': (request) => parts.service.renew({ ...request, ...by() }),

      'console:info': (request) => parts.console.info(request),
      'console:images': (request) => parts.console.images(request),
      'console:image': (request) => parts.console.image({ ...request, ...by() }),
      'console:fs-list': (request) => parts.console.list(request),
      'console:fs-download': (request) => parts.console.download(request),
      'console:fs-upload': (request) => parts.console.upload({ ...request, ...by() }),
      'console:fs-hash': (request) => parts.console.hash(request),
      'console:settings-names': (request) => parts.console.settingNames(request),
      'console:settings-get': (request) => parts.console.getSetting(request),
      'console:settings-set': (request) => parts.console.setSetting({ ...request, ...by() }),
      'console:settings-delete': (request) => parts.console.deleteSetting({ ...request, ...by() }),
      'console:settings-save': (request) => parts.console.saveSettings({ ...request, ...by() }),
      'console:shell': (request) => parts.console.shell({ ...request, ...by() }),
      'console:stats': (request) => parts.console.stats(request),

      'station:status': () => station.current(),

      'line:state': () => line.state(),
      'line:start': (request) => line.start({ ...request, ...by() }),
      'line:stop': () => line.stop(),
      'line:scan': ({ text, slot }) => line.scan(text, slot),
      'line:slot-stop': ({ port }) => line.stopSlot(port, session.actor()),
      'line:slot-start': ({ port }) => line.startSlot(port, session.actor()),
      'runs:print-label': ({ runId, printer }) => labels.print({ runId, ...(printer !== undefined ? { printer } : {}), via: 'ui', ...by() }),

      'settings:get': () => currentSettings(),
      'settings:set-registry': async ({ url, token }) => {
        // Tried first (health, then the token): a registry that does not answer is said, and nothing is saved.
        await checkRegistry(url, token, (await settings.registry())?.token);
        await settings.setRegistry(url, token);
        audited('settings.registry', url, { token: token === undefined ? 'kept' : 'replaced' });
        await queue.reconfigure();
        return changed();
      },
      'settings:set-operator': async ({ name }) => {
        await settings.setOperator(name);
        audited('settings.operator', name);
        return changed();
      },
      'settings:set-printer': async ({ printer }) => {
        // Parsed as the label code will parse it, so a bad port number is refused now, not at the first print.
        if (printer !== '') parsePrinterTarget(printer);
        await settings.setPrinter(printer === '' ? undefined : printer);
        audited('settings.printer', printer === '' ? '(none)' : printer);
        line.refresh();
        return changed();
      },
      'settings:set-ble-adapter': async ({ adapter }) => {
        const before = safeAdapter(parts.ble);
        await settings.setBleAdapter(adapter === 'default' ? undefined : adapter);
        audited('settings.ble-adapter', adapter);
        // Gateways heard through the other radio cannot be reached through this one.
        if (safeAdapter(parts.ble) !== before) devices.forgetBle();
        return changed();
      },
      'settings:set-idle-lock': async ({ minutes }) => {
        await settings.setIdleLockMinutes(minutes);
        audited('settings.idle-lock', `${minutes} min`, { minutes });
        return changed();
      },
      'settings:set-fixture-labels': async ({ labels }) => {
        await settings.setFixtureLabels(labels);
        audited('settings.fixture-labels', `${Object.keys(labels).length} positions`, { labels });
        return changed();
      },
      'settings:set-operator-sound': async ({ on }) => {
        await settings.setOperatorSound(on);
        audited('settings.operator-sound', on ? 'on' : 'off');
        return changed();
      },
      'settings:unlock-ca': async ({ passphrase, remember }) => {
        await ca.unlock(passphrase, remember ?? false);
        audited('ca.unlock', 'station CA', { remember: remember ?? false });
        return changed();
      },
    };
  };

  const rules: RuleContext = {
    async releasedProfile(profilePath) {
      const details = await profiles.get(profilePath);
      // A pulled release was signed by a trusted publisher too: checked when it was pulled (it has no .sig file).
      return details.source === 'example' || details.signature === 'trusted' || details.release?.state === 'released';
    },
  };

  return (session) =>
    guardHandlers(
      {
        ...handlersOf(session),
        'session:get': () => session.state(),
        'session:sign-in': ({ name, secret }) => session.signIn(name, secret),
        'session:sign-out': (request) => session.signOut(request?.idle ?? false),
        'session:touch': () => session.touch(),
      },
      (permission, action) => session.authorize(permission, action),
      rules,
    );
}

function safeAdapter(ble: () => BleConfig): string | undefined {
  try {
    const { adapter, socketPath } = ble();
    return `${adapter}:${socketPath}`;
  } catch {
    return undefined;
  }
}
