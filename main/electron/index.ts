/**
 * Electron's main process: app lifecycle, the one window, and the contract served over IPC.
 * Domain work is done by plain functions from the rest of main/; this file only wires them to Electron.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, ipcMain, session } from 'electron';
import type { MethodHandlers } from '../contract/dispatch';
import { createLogger, type LogRecord } from '../log';
import { listSerialPorts } from '../transport/serial';
import { sendEvent, serveContract } from './ipc';
import { AppLocation, denyPermissions, isTrustedSender, lockDownContents } from './security';
import { createMainWindow } from './window';

const devServerUrl = process.env['ELECTRON_RENDERER_URL'];
const location = new AppLocation(
  !app.isPackaged && devServerUrl
    ? devServerUrl
    : pathToFileURL(join(import.meta.dirname, '../renderer/index.html')).href,
);
const preloadPath = join(import.meta.dirname, '../preload/index.cjs');

let mainWindow: BrowserWindow | undefined;

function writeLog(record: LogRecord): void {
  const line = `[${record.scope}] ${record.message}`;
  if (record.level === 'error') console.error(line);
  else if (record.level === 'warn') console.warn(line);
  else console.log(line);
  if (mainWindow && !mainWindow.isDestroyed()) {
    sendEvent(mainWindow.webContents, 'log', { level: record.level, scope: record.scope, message: record.message });
  }
}

const log = createLogger('electron', writeLog, app.isPackaged ? 'info' : 'debug');

const handlers: MethodHandlers = {
  'app:version': () => ({ name: app.getName(), version: app.getVersion() }),
  'ports:list': () => listSerialPorts(),
};

function openMainWindow(): void {
  if (mainWindow && !mainWindow.isDestroyed()) {
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
    return;
  }
  const window = createMainWindow(location, preloadPath);
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = undefined;
  });
  mainWindow = window;
}

app.enableSandbox();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', openMainWindow);
  app.on('web-contents-created', (_event, contents) => lockDownContents(contents, location));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openMainWindow();
  });

  void app.whenReady().then(() => {
    denyPermissions(session.defaultSession);
    serveContract({
      ipcMain,
      handlers,
      isTrustedSender: (event) => isTrustedSender(event, mainWindow?.webContents, location),
      onRejected: (channel, event) => log.warn(`refused ${channel} from ${event.senderFrame?.url ?? 'a closed frame'}`),
      onBug: (channel, error) => log.error(`${channel}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
    });
    openMainWindow();
  });
}
