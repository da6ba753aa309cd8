// The Electron binary's path, or why there is none, and what to tell someone who wants the desktop window on a
// machine without it: `npm start` (scripts/start.js) and `npm run dev` (electron.vite.config.ts) both say it.
//
// The advice has to be true offline. The binary is not in the npm package: electron's own install step
// (node_modules/electron/install.js, run by `npm ci`) downloads it from GitHub releases, and machines without access to
// GitHub install with ELECTRON_SKIP_BINARY_DOWNLOAD=1. "Run npm ci again with internet access" is no help there;
// what helps is where to get the binary some other way, and that station web mode needs none.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * From Node the electron package is only a locator: it returns the binary's path, or throws when the download was
 * skipped (as in e2e/electron-binary.ts). Nothing of Electron runs here.
 */
export function electronBinary(load = () => createRequire(import.meta.url)('electron')) {
  try {
    const path = load();
    return typeof path === 'string' && existsSync(path) ? { path } : { reason: `the electron package points at ${String(path)}, which does not exist` };
  } catch {
    // Its own words ("failed to install correctly, please delete node_modules/electron and try installing again")
    // send people round the same loop offline: say what is actually missing.
    return { reason: 'node_modules/electron has no binary: no dist/ folder and no path.txt (its download was skipped or failed)' };
  }
}

/** The executable inside the archive, as electron's install.js names it in path.txt. */
export function executableIn(platform = process.platform) {
  if (platform === 'win32') return 'electron.exe';
  if (platform === 'darwin' || platform === 'mas') return 'Electron.app/Contents/MacOS/Electron';
  return 'electron';
}

/** The electron version the project pins (what a downloaded archive must match). */
export function electronVersion() {
  try {
    return JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

/** The message, each line true without a network: where the binary comes from, three ways to get it, what works now. */
export function electronMissingMessage(reason, { version = electronVersion(), platform = process.platform, arch = process.arch } = {}) {
  const v = version ?? '<version in package.json>';
  const archive = `electron-v${v}-${platform}-${arch}.zip`;
  return [
    'fieldline: the Electron binary is missing, so the desktop window cannot open here.',
    `  (${reason})`,
    '',
    `  It is not part of the npm package: electron's install step (node_modules/electron/install.js, run by npm ci)`,
    `  downloads ${archive} from GitHub releases, and this install skipped that or could not reach GitHub`,
    '  (ELECTRON_SKIP_BINARY_DOWNLOAD=1). Running npm ci again only helps where GitHub is reachable. Without it:',
    `  - from a mirror inside your network: ELECTRON_MIRROR=https://mirror.example/electron/ node node_modules/electron/install.js`,
    `  - from a machine that has it (same OS and architecture): copy its Electron cache (~/.cache/electron on Linux, or`,
    '    the folder in electron_config_cache) to the same place here, then node node_modules/electron/install.js (it reads the',
    '    cache, no network)',
    `  - from the archive itself (${archive}, carried over on a stick), as install.js would place it:`,
    `    unzip ${archive} -d node_modules/electron/dist && printf '${executableIn(platform)}' > node_modules/electron/path.txt`,
    '',
    '  The same UI works now, without Electron, in a browser (station web mode):',
    '',
    '    npm run station -- --demo',
    '',
  ].join('\n');
}
