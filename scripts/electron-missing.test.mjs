import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { electronBinary, electronMissingMessage, executableIn } from './electron-missing.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('the message when the Electron binary is missing', () => {
  it('says where the binary comes from, how to get it without GitHub, and that station web mode works now', () => {
    const text = electronMissingMessage('no binary', { version: '41.7.1', platform: 'linux', arch: 'x64' });
    // Where it comes from: electron's install step, downloading from GitHub.
    expect(text).toContain("electron's install step (node_modules/electron/install.js, run by npm ci)");
    expect(text).toContain('downloads electron-v41.7.1-linux-x64.zip from GitHub releases');
    // Three ways that need no GitHub: a mirror, another machine's cache, the archive itself.
    expect(text).toContain('ELECTRON_MIRROR=');
    expect(text).toMatch(/Electron cache \(~\/\.cache\/electron on Linux, or\s+the folder in electron_config_cache\)/);
    expect(text).toContain("unzip electron-v41.7.1-linux-x64.zip -d node_modules/electron/dist && printf 'electron' > node_modules/electron/path.txt");
    // What works now.
    expect(text).toContain('npm run station -- --demo');
    // Not the advice that is false offline.
    expect(text).not.toMatch(/with internet access/);
  });

  it('names the executable as install.js does on each OS', () => {
    expect(executableIn('linux')).toBe('electron');
    expect(executableIn('win32')).toBe('electron.exe');
    expect(executableIn('darwin')).toBe('Electron.app/Contents/MacOS/Electron');
  });

  it("replaces electron's own words (delete node_modules and install again) by what is missing", () => {
    const missing = electronBinary(() => {
      throw new Error('Electron failed to install correctly, please delete node_modules/electron and try installing again');
    });
    expect(missing.path).toBeUndefined();
    expect(missing.reason).toMatch(/no dist\/ folder and no path\.txt/);
    expect(electronBinary(() => '/nowhere/electron').reason).toContain('/nowhere/electron, which does not exist');
  });

  it.skipIf(electronBinary().path !== undefined)('npm start on this machine (no binary) prints it and exits 1', () => {
    const run = spawnSync(process.execPath, [join(root, 'scripts', 'start.js')], { cwd: root, encoding: 'utf8', timeout: 30_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('the Electron binary is missing');
    expect(run.stderr).toContain('npm run station -- --demo');
    expect(existsSync(join(root, 'node_modules', 'electron', 'path.txt'))).toBe(false);
  });

  it.skipIf(electronBinary().path !== undefined)('npm run dev (electron-vite dev) prints it too, before starting any server, and exits 1', () => {
    const electronVite = join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
    const run = spawnSync(process.execPath, [electronVite, 'dev'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('the Electron binary is missing');
    expect(run.stderr).toContain("electron's install step");
    expect(run.stderr).toContain('npm run station -- --demo');
  }, 70_000);
});
