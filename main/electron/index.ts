/**
 * Electron's main process: app lifecycle, the one window, and the app (createApp) served over IPC — every contract
 * method through serveContract, every contract event to the window. Domain work is done by the app; this file
 * only wires it to Electron.
 */
import { join } from 'node:path';
import { app, BrowserWindow, ipcMain, safeStorage, session } from 'electron';
import { createApp, type AppSession, type FieldlineApp } from '../app';
import { resolveDataDir } from '../data-dir';
import { createLogger, type LogRecord } from '../log';
import { AppLocation } from './app-location';
import { registerAppScheme, serveRenderer } from './app-protocol';
import { sendEvent, serveContract } from './ipc';
import { APP_INDEX_URL } from './renderer-files';
import { createSafeStorageSecretStore } from './secrets';
import { denyPermissions, isTrustedSender, lockDownContents } from './security';
import { createMainWindow } from './window';
import { PORTS_DIR_ENV } from '../transport/ports-dir';

const devServerUrl = process.env['ELECTRON_RENDERER_URL'];
/** The built renderer, served on app://fieldline/ (docs/security.md, item 18): never loaded from file://. */
const rendererDir = join(import.meta.dirname, '../renderer');
const location = new AppLocation(!app.isPackaged && devServerUrl ? devServerUrl : APP_INDEX_URL);
const preloadPath = join(import.meta.dirname, '../preload/index.cjs');
/** Example profiles: beside the app's resources when packaged, the repository's folder in development. */
const examplesDir = app.isPackaged ? join(process.resourcesPath, 'profiles') : join(app.getAppPath(), 'resources', 'profiles');

// The desktop process's own composition root: its one window and its one app, made and closed by this entry file.
let mainWindow: BrowserWindow | undefined;
let fieldline: FieldlineApp | undefined;
/** Each window's operator session, by its webContents id: every call of that window is checked for its operator. */
const sessions = new Map<number, AppSession>();

function writeLog(record: LogRecord): void {
  const line = `[${record.scope}] ${record.message}`;
  if (record.level === 'error') console.error(line);
  else if (record.level === 'warn') console.warn(line);
  else console.log(line);
  if (mainWindow && !mainWindow.isDestroyed() && sessions.get(mainWindow.webContents.id)?.mayListen()) {
    sendEvent(mainWindow.webContents, 'log', { level: record.level, scope: record.scope, message: record.message.slice(0, 4000) });
  }
}

const log = createLogger('electron', writeLog, app.isPackaged ? 'info' : 'debug');

function openMainWindow(): void {
  if (mainWindow && !mainWindow.isDestroyed()) {
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
    return;
  }
  const window = createMainWindow(location, preloadPath);
  const contentsId = window.webContents.id;
  const session = fieldline?.openSession();
  if (session) {
    sessions.set(contentsId, session);
    // The window's own sign-in, sign-out and idle lock, to it alone.
    session.onChange((state) => {
      if (!window.isDestroyed()) sendEvent(window.webContents, 'session:changed', state);
    });
  }
  window.on('closed', () => {
    sessions.get(contentsId)?.close();
    sessions.delete(contentsId);
    if (mainWindow === window) mainWindow = undefined;
  });
  mainWindow = window;
}

async function start(): Promise<void> {
  denyPermissions(session.defaultSession);
  serveRenderer(rendererDir, (url, reason) => log.warn(`app:// refused ${url}: ${reason}`));
  // The same data directory as the CLI (FIELDLINE_DATA_DIR, else the per-user folder), so they share one queue.
  const dataDir = resolveDataDir();
  const portsDirFromEnv = process.env[PORTS_DIR_ENV]?.trim();
  fieldline = await createApp({
    dataDir,
    logger: log.child('app'),
    secrets: createSafeStorageSecretStore(dataDir, safeStorage),
    examplesDir,
    appInfo: { name: app.getName(), version: app.getVersion() },
    // Virtual gateways announced where the line looks for them are listed on the Devices screen too, when the
    // directory is set explicitly (the demo and the Electron tests set it); the default one is left to the line.
    ...(portsDirFromEnv ? { devicesPortsDir: portsDirFromEnv } : {}),
  });
  serveContract({
    ipcMain,
    handlers: (sender) => sessions.get(sender.id)?.handlers,
    isTrustedSender: (event) => isTrustedSender(event, mainWindow?.webContents, location),
    onRejected: (channel, event) => log.warn(`refused ${channel} from ${event.senderFrame?.url ?? 'a closed frame'}`),
    onBug: (channel, error) => log.error(`${channel}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
  });
  fieldline.events.onAny((name, payload) => {
    // A window nobody has signed in to on a station with operators sees nothing until someone does.
    if (mainWindow && !mainWindow.isDestroyed() && sessions.get(mainWindow.webContents.id)?.mayListen()) sendEvent(mainWindow.webContents, name, payload);
  });
  openMainWindow();
}

app.enableSandbox();
// Before 'ready', as Electron requires of privileged schemes.
registerAppScheme();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', openMainWindow);
  app.on('web-contents-created', (_event, contents) => lockDownContents(contents, location));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (fieldline && BrowserWindow.getAllWindows().length === 0) openMainWindow();
  });
  app.on('before-quit', (event) => {
    // Runs under way are cancelled and rolled back before the store closes; quit again once that is done.
    const running = fieldline;
    if (!running) return;
    event.preventDefault();
    fieldline = undefined;
    void running.close().finally(() => app.quit());
  });

  void app.whenReady().then(start).catch((err: unknown) => {
    log.error(`could not start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    app.exit(1);
  });
}
