// `npm start`: the desktop app through electron-vite — `dev` (renderer with hot reload) by default, the built app
// with `npm start -- --preview`. Machines that installed without the Electron binary (ELECTRON_SKIP_BINARY_DOWNLOAD,
// no access to GitHub) cannot open the window: say so plainly, and point at station web mode, which needs none.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * The Electron binary's path, or why there is none. From Node, the electron package is only a locator (it returns the
 * binary's path, or throws when the download was skipped), as in e2e/electron-binary.ts; nothing of Electron runs here.
 */
function electronBinary() {
  try {
    const path = createRequire(import.meta.url)('electron');
    return typeof path === 'string' && existsSync(path) ? { path } : { reason: `the electron package points at ${String(path)}, which does not exist` };
  } catch (err) {
    return { reason: String(err instanceof Error ? err.message : err).split('\n')[0] };
  }
}

const binary = electronBinary();
if (!binary.path) {
  process.stderr.write(
    [
      'fieldline: the Electron binary is missing, so the desktop window cannot open here.',
      `  (${binary.reason})`,
      '  Install it with internet access (`npm ci` without ELECTRON_SKIP_BINARY_DOWNLOAD), or use the same UI in a browser:',
      '',
      '    npm run station -- --demo',
      '',
    ].join('\n'),
  );
  process.exit(1);
}

const mode = process.argv.includes('--preview') ? 'preview' : 'dev';
const electronVite = join(dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
const child = spawn(process.execPath, [electronVite, mode], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
