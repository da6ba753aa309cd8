/**
 * Deny by default: no permissions, no navigation away from the app, no new windows (http(s) links go to the OS
 * browser), no webviews, and IPC only from our own window's main frame at our own address.
 */
import { shell, type IpcMainInvokeEvent, type Session, type WebContents } from 'electron';
import type { AppLocation } from './app-location';

function isWebLink(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

function openInBrowser(url: string): void {
  // Reviewed (electronegativity OPEN_EXTERNAL_JS_CHECK): only http(s) URLs reach the OS browser — never file:,
  // smb:, custom protocol handlers or anything else a page could use to run a program.
  if (isWebLink(url)) void shell.openExternal(url); // eng-disable OPEN_EXTERNAL_JS_CHECK
}

export function denyPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}

/** Applied to every WebContents the app creates (see app's `web-contents-created`). */
export function lockDownContents(contents: WebContents, location: AppLocation): void {
  contents.setWindowOpenHandler(({ url }) => {
    openInBrowser(url);
    return { action: 'deny' };
  });
  const stayInApp = (event: { preventDefault(): void }, url: string): void => {
    if (location.contains(url)) return;
    event.preventDefault();
    openInBrowser(url);
  };
  contents.on('will-navigate', (event) => stayInApp(event, event.url));
  contents.on('will-redirect', (event) => stayInApp(event, event.url));
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** True only for a call from `expected`'s main frame while it shows our app. */
export function isTrustedSender(
  event: IpcMainInvokeEvent,
  expected: WebContents | undefined,
  location: AppLocation,
): boolean {
  const frame = event.senderFrame;
  return (
    expected !== undefined &&
    !expected.isDestroyed() &&
    event.sender === expected &&
    frame !== null &&
    frame === expected.mainFrame &&
    location.contains(frame.url)
  );
}
