/**
 * Where the Electron binary is, or why there is none. `require('electron')` from Node returns the binary's path
 * once electron's postinstall has downloaded it, and throws when the install skipped the download
 * (ELECTRON_SKIP_BINARY_DOWNLOAD=1, as on machines without access to GitHub).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

export function electronBinary(): { path?: string; reason?: string } {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown;
    if (typeof path === 'string' && existsSync(path)) return { path };
    return { reason: `the electron package points at ${String(path)}, which does not exist` };
  } catch (err) {
    return {
      reason:
        'no Electron binary on this machine (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1 because the binary ' +
        `comes from GitHub, which is not reachable here): ${(err as Error).message.split('\n')[0]}`,
    };
  }
}
