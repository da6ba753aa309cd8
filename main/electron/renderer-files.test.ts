/**
 * app://fieldline/ serves the renderer folder and nothing else (Electron checklist item 18), tested in plain Node
 * on a real folder: traversal in every spelling, a symlink out, a folder, a missing file, the size cap.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_INDEX_URL, readRendererFile, resolveRendererPath } from './renderer-files';

let work: string;
let renderer: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'fieldline-app-protocol-'));
  renderer = join(work, 'renderer');
  await mkdir(join(renderer, 'assets'), { recursive: true });
  await writeFile(join(renderer, 'index.html'), '<!doctype html><title>Fieldline</title>');
  await writeFile(join(renderer, 'assets', 'index-abc.js'), 'export {};');
  await writeFile(join(renderer, 'assets', 'index-abc.css'), 'body{}');
  await writeFile(join(work, 'secret.txt'), 'not for the page');
  await symlink(join(work, 'secret.txt'), join(renderer, 'assets', 'link.js'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('resolveRendererPath', () => {
  it('maps app://fieldline/<path> into the folder, and / to index.html', () => {
    expect(resolveRendererPath(renderer, APP_INDEX_URL)).toEqual({ file: join(renderer, 'index.html') });
    expect(resolveRendererPath(renderer, 'app://fieldline/')).toEqual({ file: join(renderer, 'index.html') });
    expect(resolveRendererPath(renderer, 'app://fieldline/assets/index-abc.js?v=2#x')).toEqual({ file: join(renderer, 'assets', 'index-abc.js') });
    expect(resolveRendererPath(renderer, 'app://fieldline/assets/with%20space.js')).toEqual({ file: join(renderer, 'assets', 'with space.js') });
  });

  it.each([
    'app://fieldline/../secret.txt',
    'app://fieldline/assets/../../secret.txt',
    'app://fieldline/%2e%2e/secret.txt',
    'app://fieldline/%2E%2E/%2E%2E/etc/passwd',
    'app://fieldline/..%2fsecret.txt',
    'app://fieldline/assets%2f..%2f..%2fsecret.txt',
    'app://fieldline/..%5csecret.txt',
    'app://fieldline/assets\\..\\..\\secret.txt',
    'app://fieldline/index.html%00.js',
    'app://fieldline/./index.html',
  ])('refuses %s', (url) => {
    expect(resolveRendererPath(renderer, url)).toMatchObject({ status: 400 });
  });

  it('refuses other schemes and hosts, and malformed escapes', () => {
    expect(resolveRendererPath(renderer, 'file:///etc/passwd')).toMatchObject({ status: 400 });
    expect(resolveRendererPath(renderer, 'app://other/index.html')).toMatchObject({ status: 400 });
    expect(resolveRendererPath(renderer, 'https://fieldline/index.html')).toMatchObject({ status: 400 });
    expect(resolveRendererPath(renderer, 'app://fieldline/%E0%A4%A')).toMatchObject({ status: 400 });
    expect(resolveRendererPath(renderer, 'not a url')).toMatchObject({ status: 400 });
  });
});

describe('readRendererFile', () => {
  it('serves the bundle with its content type', async () => {
    const html = await readRendererFile(renderer, APP_INDEX_URL);
    expect(html).toMatchObject({ status: 200, mimeType: 'text/html; charset=utf-8' });
    if (html.status === 200) expect(Buffer.from(html.body).toString()).toContain('<title>Fieldline</title>');
    expect(await readRendererFile(renderer, 'app://fieldline/assets/index-abc.js')).toMatchObject({ status: 200, mimeType: 'text/javascript; charset=utf-8' });
    expect(await readRendererFile(renderer, 'app://fieldline/assets/index-abc.css')).toMatchObject({ status: 200, mimeType: 'text/css; charset=utf-8' });
  });

  it('refuses a symlink out of the folder, a folder, a missing file and a file over the cap', async () => {
    expect(await readRendererFile(renderer, 'app://fieldline/assets/link.js')).toMatchObject({ status: 400 });
    expect(await readRendererFile(renderer, 'app://fieldline/assets')).toMatchObject({ status: 404 });
    expect(await readRendererFile(renderer, 'app://fieldline/missing.js')).toMatchObject({ status: 404 });
    expect(await readRendererFile(renderer, 'app://fieldline/assets/index-abc.js', 4)).toMatchObject({ status: 413 });
    expect(await readRendererFile(renderer, 'app://fieldline/../secret.txt')).toMatchObject({ status: 400 });
  });
});
