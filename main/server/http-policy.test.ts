import { mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cspForStaticDir, metaPolicy } from './csp';
import { acceptedHost, isLoopbackHost, sameOrigin } from './hosts';
import { contentType, resolveStaticPath } from './static-files';

describe('hosts', () => {
  it('knows loopback from every-interface and remote addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.10', 'station.local', '127.example.com']) expect(isLoopbackHost(h), h).toBe(false);
  });

  it('accepts only our own loopback Host with our port when bound to loopback', () => {
    const policy = { port: 7300, loopback: true };
    expect(acceptedHost('127.0.0.1:7300', policy)).toBe('127.0.0.1:7300');
    expect(acceptedHost('localhost:7300', policy)).toBe('localhost:7300');
    expect(acceptedHost('[::1]:7300', policy)).toBe('[::1]:7300');
    expect(acceptedHost('127.0.0.1:7301', policy)).toBeUndefined();
    expect(acceptedHost('127.0.0.1', policy)).toBeUndefined();
    expect(acceptedHost('evil.example:7300', policy)).toBeUndefined();
    expect(acceptedHost('127.0.0.1:7300;x', policy)).toBeUndefined();
    expect(acceptedHost(undefined, policy)).toBeUndefined();
    expect(acceptedHost('station.local:7300', { port: 7300, loopback: false })).toBe('station.local:7300');
  });

  it('takes same-origin WebSockets only', () => {
    expect(sameOrigin('http://127.0.0.1:7300', '127.0.0.1:7300')).toBe(true);
    expect(sameOrigin('http://localhost:7300', '127.0.0.1:7300')).toBe(false);
    expect(sameOrigin('null', '127.0.0.1:7300')).toBe(false);
    expect(sameOrigin(undefined, '127.0.0.1:7300')).toBe(false);
  });
});

describe('the CSP header', () => {
  it("is the renderer's meta policy, with the WebSocket added to connect-src and framing forbidden", async () => {
    expect(metaPolicy(`<meta http-equiv="Content-Security-Policy" content="default-src 'self'; connect-src 'self'" />`)).toBe("default-src 'self'; connect-src 'self'");
    const dir = await mkdtemp(join(tmpdir(), 'fieldline-csp-'));
    try {
      await writeFile(join(dir, 'index.html'), await readFile(join(import.meta.dirname, '../../renderer/index.html'), 'utf8'));
      const csp = cspForStaticDir(dir)('127.0.0.1:7300');
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("connect-src 'self' ws://127.0.0.1:7300");
      expect(csp.match(/connect-src/g)).toHaveLength(1);
      expect(csp).toContain("frame-ancestors 'none'");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('static paths', () => {
  let root: string;
  beforeAll(async () => {
    const base = await realpath(await mkdtemp(join(tmpdir(), 'fieldline-static-unit-')));
    root = join(base, 'renderer');
    await mkdir(join(root, 'assets'), { recursive: true });
    await writeFile(join(root, 'index.html'), '<html></html>');
    await writeFile(join(root, 'assets', 'a.js'), '');
    await writeFile(join(base, 'secret.txt'), 'secret');
    await symlink(join(base, 'secret.txt'), join(root, 'link.txt'));
  });
  afterAll(async () => {
    await rm(join(root, '..'), { recursive: true, force: true });
  });

  it('resolves files in the folder, and the index for folders and routes', async () => {
    expect(await resolveStaticPath(root, '/')).toBe(join(root, 'index.html'));
    expect(await resolveStaticPath(root, '/assets/a.js')).toBe(join(root, 'assets', 'a.js'));
    expect(await resolveStaticPath(root, '/assets/')).toBe(join(root, 'index.html'));
    expect(await resolveStaticPath(root, '/runs/123')).toBe(join(root, 'index.html'));
    expect(await resolveStaticPath(root, '/missing.js')).toBeUndefined();
  });

  it('refuses every way out of the folder', async () => {
    for (const p of ['/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/assets/../../secret.txt', '/link.txt', '/..\\secret.txt', '/%00', '/%E0%A4%A']) {
      expect(await resolveStaticPath(root, p), p).toBeUndefined();
    }
  });

  it('names content types, and nothing unknown as executable', () => {
    expect(contentType('a.js')).toBe('text/javascript; charset=utf-8');
    expect(contentType('a.css')).toBe('text/css; charset=utf-8');
    expect(contentType('a.svg')).toBe('image/svg+xml');
    expect(contentType('a.exe')).toBe('application/octet-stream');
  });
});
