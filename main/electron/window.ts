import { BrowserWindow } from 'electron';
import type { AppLocation } from './app-location';

export function createMainWindow(location: AppLocation, preloadPath: string): BrowserWindow {
  // Reviewed (electronegativity AUXCLICK_JS_CHECK): a middle-click's new window is refused by the window-open
  // handler every WebContents gets (security.ts, lockDownContents); `disableBlinkFeatures: 'Auxclick'` is no
  // longer a Blink runtime feature, so it would only silence the check.
  const window = new BrowserWindow({ // eng-disable AUXCLICK_JS_CHECK
    width: 1200,
    height: 800,
    minWidth: 800,
    minHeight: 560,
    title: 'Fieldline',
    show: false,
    webPreferences: {
      // Reviewed (electronegativity PRELOAD_JS_CHECK): the preload exposes only the contract's client through
      // contextBridge — no ipcRenderer, no Node (preload/index.ts; docs/security.md).
      preload: preloadPath, // eng-disable PRELOAD_JS_CHECK
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(location.url);
  return window;
}
