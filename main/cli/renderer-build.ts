/**
 * The built renderer the station serves (out/renderer). Built here when missing — electron-vite builds it without an
 * Electron binary, in a few seconds — so `fieldline station` works right after `npm ci`.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FieldlineError } from '../errors';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const RENDERER_DIR = join(ROOT, 'out', 'renderer');

function electronViteBin(): string | undefined {
  try {
    const pkgFile = createRequire(import.meta.url).resolve('electron-vite/package.json');
    const bin = join(dirname(pkgFile), 'bin', 'electron-vite.js');
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

/** out/renderer, built first if it has no index.html; says plainly how to build it when that fails. */
export async function ensureRendererBuilt(log: (line: string) => void): Promise<string> {
  if (existsSync(join(RENDERER_DIR, 'index.html'))) return RENDERER_DIR;
  const bin = electronViteBin();
  const how = 'run `npm run build` in the Fieldline folder (it needs the dev dependencies: `npm ci`), then start the station again';
  if (!bin) throw new FieldlineError('FILE_NOT_FOUND', `${RENDERER_DIR}/index.html: the renderer is not built and electron-vite is not installed; ${how}`);
  log('the renderer is not built yet: building it (electron-vite build)…');
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [bin, 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', () => resolve(null));
    child.on('close', resolve);
  });
  if (code !== 0 || !existsSync(join(RENDERER_DIR, 'index.html'))) {
    throw new FieldlineError('FILE_NOT_FOUND', `${RENDERER_DIR}/index.html: building the renderer failed; ${how}`);
  }
  return RENDERER_DIR;
}
