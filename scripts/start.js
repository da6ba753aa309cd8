// `npm start`: the desktop app through electron-vite — `dev` (renderer with hot reload) by default, the built app
// with `npm start -- --preview`. Machines that installed without the Electron binary (ELECTRON_SKIP_BINARY_DOWNLOAD,
// no access to GitHub) cannot open the window: say so plainly, with advice that holds offline
// (scripts/electron-missing.mjs), and point at station web mode, which needs none.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { electronBinary, electronMissingMessage } from './electron-missing.mjs';

const require = createRequire(import.meta.url);

const binary = electronBinary();
if (!binary.path) {
  process.stderr.write(electronMissingMessage(binary.reason ?? 'unknown'));
  process.exit(1);
}

const mode = process.argv.includes('--preview') ? 'preview' : 'dev';
const electronVite = join(dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
const child = spawn(process.execPath, [electronVite, mode], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
