/**
 * Serves the built renderer (out/renderer) read-only. The request path is decoded, resolved against the folder
 * and — after following symlinks — must still be inside it; anything else is a 404, never a file elsewhere on the
 * disk. Paths without an extension that match no file get index.html (the renderer's own routes).
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export function contentType(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file under `root` a URL path names, or undefined when it names none (or tries to leave the folder).
 * `root` must be a real path (no symlinks in it).
 */
export async function resolveStaticPath(root: string, urlPath: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const wanted = resolve(root, `.${sep}${decoded.replace(/^\/+/, '')}`);
  const rel = relative(root, wanted);
  if (rel.startsWith('..') || isAbsolute(rel)) return undefined;
  const candidate = await fileIn(root, wanted === root ? join(root, 'index.html') : wanted);
  if (candidate) return candidate;
  // No such file: an extension-less path is one of the renderer's routes.
  return extname(decoded) === '' ? fileIn(root, join(root, 'index.html')) : undefined;
}

async function fileIn(root: string, path: string): Promise<string | undefined> {
  try {
    let real = await realpath(path);
    let info = await stat(real);
    if (info.isDirectory()) {
      real = await realpath(join(real, 'index.html'));
      info = await stat(real);
    }
    const rel = relative(root, real);
    // A symlink inside the folder pointing outside it is refused like a `..`.
    if (rel.startsWith('..') || isAbsolute(rel) || !info.isFile()) return undefined;
    return real;
  } catch {
    return undefined;
  }
}

export interface StaticOptions {
  /** Real path of the folder. */
  root: string;
  /** Headers every answer carries (the CSP and friends). */
  headers: (req: IncomingMessage) => Record<string, string>;
}

export async function serveStatic(req: IncomingMessage, res: ServerResponse, options: StaticOptions): Promise<void> {
  const common = options.headers(req);
  const send = (status: number, text: string, extra: Record<string, string> = {}): void => {
    res.writeHead(status, { ...common, 'content-type': 'text/plain; charset=utf-8', ...extra });
    res.end(req.method === 'HEAD' ? undefined : text);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n', { allow: 'GET, HEAD' });
  // The raw path, not new URL(): that would resolve `..` segments, and a path that tries to leave the folder is
  // refused as a whole rather than quietly normalized into another file.
  const pathname = (req.url ?? '/').split(/[?#]/)[0] ?? '/';
  if (!pathname.startsWith('/')) return send(400, 'bad request\n');
  const file = await resolveStaticPath(options.root, pathname);
  if (!file) return send(404, 'not found\n');
  const info = await stat(file);
  const immutable = relative(options.root, file).startsWith(`assets${sep}`);
  res.writeHead(200, {
    ...common,
    'content-type': contentType(file),
    'content-length': String(info.size),
    // Vite names assets by content hash: cache them for good; index.html must always be fetched fresh.
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}
