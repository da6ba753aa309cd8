/**
 * The packaged window's wiring for app:// (Electron checklist item 18), checked without the Electron binary: the
 * entry file loads app://fieldline/ and never a file:// URL, registers the scheme before the app is ready, and the
 * built renderer (when built) references only files that app:// serves.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readRendererFile } from './renderer-files';

const source = (file: string): string => readFileSync(new URL(file, import.meta.url), 'utf8');
const BUILT = fileURLToPath(new URL('../../out/renderer', import.meta.url));

describe('the Electron entry', () => {
  it('loads the renderer from app://fieldline/, registering the scheme before ready', () => {
    const index = source('./index.ts');
    expect(index).not.toMatch(/pathToFileURL|loadFile\(|['"`]file:/);
    expect(index).toContain('APP_INDEX_URL');
    expect(index.indexOf('registerAppScheme();')).toBeGreaterThan(-1);
    expect(index.indexOf('registerAppScheme();')).toBeLessThan(index.indexOf('app.whenReady()'));
    expect(index).toMatch(/serveRenderer\(rendererDir/);
  });

  it('the CSP names no file: source', () => {
    const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(source('../../renderer/index.html'))?.[1];
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toMatch(/file:/);
  });
});

describe.skipIf(!existsSync(`${BUILT}/index.html`))('the built renderer (out/renderer) over app://', () => {
  it('serves index.html and every script and stylesheet it references', async () => {
    const html = readFileSync(`${BUILT}/index.html`, 'utf8');
    const refs = [...html.matchAll(/(?:src|href)="(\.\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const url = new URL(ref, 'app://fieldline/index.html').href;
      expect(await readRendererFile(BUILT, url), url).toMatchObject({ status: 200 });
    }
  });
});
