/**
 * The device console as the app serves it (console:* methods): each call claims the device, opens it, does one
 * concern's work (info, images, files, settings, shell, stats) and lets it go. Writes are audited under the operator
 * who made them (audit.ts). Reads and writes alike need the `service` permission (main/core/method-permissions.ts).
 */
import type { ConsoleFile, ConsoleHash, ConsoleInfo, ConsoleListing, ConsoleSettingNames, ConsoleShell, ConsoleSlot, ConsoleStats, SettingValueEncoding } from '../../contract/console';
import type { Store } from '../../store/types';
import type { ProfileLibrary } from '../profiles';
import type { VisitKit } from '../visit-kit';
import { audited } from './audit';
import { decodeUpload, downloadBounded, hashOnDevice, listDirectory, uploadChecked } from './files';
import { applyImageAction, imageAction, readSlots } from './images';
import { readInfo } from './info';
import { consoleSessions, type ConsoleSessionOptions } from './session';
import { encodeSetting, getSetting, removeSetting, saveAll, setSetting, settingNames } from './settings';
import { runShell, splitCommand } from './shell';
import { readAllStats } from './stats';

interface On {
  deviceId: string;
  /** `operator:NAME` from the core's permission check; default the settings operator. */
  actor?: string;
}

export interface ConsoleService {
  info(request: On): Promise<ConsoleInfo>;
  images(request: On): Promise<ConsoleSlot[]>;
  image(request: On & { action: 'test' | 'confirm' | 'erase'; hash?: string; slot?: number }): Promise<ConsoleSlot[]>;
  list(request: On & { path: string }): Promise<ConsoleListing>;
  download(request: On & { path: string }): Promise<ConsoleFile & { base64: string }>;
  upload(request: On & { path: string; base64: string }): Promise<ConsoleFile>;
  hash(request: On & { path: string; type?: 'sha256' | 'crc32' }): Promise<ConsoleHash>;
  settingNames(request: On): Promise<ConsoleSettingNames>;
  getSetting(request: On & { name: string; as: SettingValueEncoding }): Promise<{ name: string; value: string; hex: string }>;
  setSetting(request: On & { name: string; value: string; as: SettingValueEncoding; save?: boolean }): Promise<{ name: string; hex: string; saved: boolean }>;
  deleteSetting(request: On & { name: string }): Promise<{ name: string }>;
  saveSettings(request: On): Promise<{ saved: true }>;
  shell(request: On & { command: string }): Promise<ConsoleShell>;
  stats(request: On): Promise<ConsoleStats>;
}

export interface ConsoleServiceOptions extends ConsoleSessionOptions {
  store: Store;
  profiles: ProfileLibrary;
  /** Where a device's provisioning run and its profile are found: the core's visit kit reader (kit + store). */
  visitKit: () => VisitKit;
  /** The settings' operator, for a call made without a sign-in (a station without operators). */
  operator: () => string;
}

export function createConsoleService(options: ConsoleServiceOptions): ConsoleService {
  const { store, devices } = options;
  const withDevice = consoleSessions(options);
  const actorOf = (request: On): string => request.actor ?? `operator:${options.operator() || 'unknown'}`;

  return {
    info: ({ deviceId }) => withDevice(deviceId, (session) => readInfo(session)),
    images: ({ deviceId }) => withDevice(deviceId, (session) => readSlots(session)),
    image: (request) => {
      const action = imageAction(request);
      return withDevice(request.deviceId, (session, device) =>
        audited(store, { actor: actorOf(request), action: `console.image.${action.action}`, device, details: { ...action } }, () => applyImageAction(session, action)),
      );
    },
    list: ({ deviceId, path }) => withDevice(deviceId, (session) => listDirectory(session, path)),
    download: ({ deviceId, path }) => withDevice(deviceId, (session) => downloadBounded(session, path)),
    upload: (request) => {
      const data = decodeUpload(request.base64);
      return withDevice(request.deviceId, (session, device) =>
        audited(
          store,
          { actor: actorOf(request), action: 'console.file.upload', device, details: { path: request.path, size: data.length } },
          () => uploadChecked(session, request.path, data),
          (file) => ({ sha256: file.sha256 }),
        ),
      );
    },
    hash: ({ deviceId, path, type }) => withDevice(deviceId, (session) => hashOnDevice(session, path, type)),
    // From the store, the visit kit and the profile library only: the device is not opened.
    settingNames: ({ deviceId }) => settingNames(options.visitKit(), options.profiles, devices.get(deviceId)),
    getSetting: ({ deviceId, name, as }) => withDevice(deviceId, (session) => getSetting(session, name, as)),
    setSetting: (request) => {
      const raw = encodeSetting(request.value, request.as);
      const save = request.save ?? false;
      return withDevice(request.deviceId, (session, device) =>
        audited(
          store,
          { actor: actorOf(request), action: 'console.settings.set', device, details: { name: request.name, as: request.as, hex: Buffer.from(raw).toString('hex'), save } },
          () => setSetting(session, request.name, raw, save),
        ),
      );
    },
    deleteSetting: (request) =>
      withDevice(request.deviceId, (session, device) =>
        audited(store, { actor: actorOf(request), action: 'console.settings.delete', device, details: { name: request.name } }, () => removeSetting(session, request.name)),
      ),
    saveSettings: (request) =>
      withDevice(request.deviceId, (session, device) =>
        audited(store, { actor: actorOf(request), action: 'console.settings.save', device, details: {} }, async () => {
          await saveAll(session);
          return { saved: true as const };
        }),
      ),
    shell: (request) => {
      const argv = splitCommand(request.command);
      return withDevice(request.deviceId, (session, device) =>
        audited(
          store,
          { actor: actorOf(request), action: 'console.shell', device, details: { command: request.command } },
          () => runShell(session, argv),
          (result) => ({ ret: result.ret, outputChars: result.output.length }),
        ),
      );
    },
    stats: ({ deviceId }) => withDevice(deviceId, (session) => readAllStats(session)),
  };
}
