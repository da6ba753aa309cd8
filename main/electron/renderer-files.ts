/**
 * What `app://fieldline/<path>` serves (Electron checklist item 18): a file of the built renderer folder, and nothing
 * else. The packaged window loads `app://fieldline/index.html` instead of a `file://` URL, so the page gets an origin
 * of its own (`'self'` in its CSP is the bundle, not every file on the disk) and the grantFileProtocolExtraPrivileges
 * fuse can be off. No electron import: this is the part the tests run in plain Node; app-protocol.ts hands its
 * answers to `protocol.handle`.
 *
 * Refused: another scheme or host, a path that leaves the folder — `..` (which URL parsing already folds), its
 * percent-encoded forms, encoded slashes or backslashes, NUL — a symlink that leads out of it, anything that is not a
 * regular file, and a file over the size cap.
 */
import { realpath } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { FieldlineError } from '../errors';
import { readRegularFile } from '../profiles/regular-file';

export const APP_SCHEME = 'app';
export const APP_HOST = 'fieldline';
/** The packaged window's one address. */
export const APP_INDEX_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;
/** The built bundle's largest file is well under this; a bigger one is not ours. */
export const MAX_RENDERER_FILE_BYTES = 32 * 1024 * 1024;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

export type Resolved = { file: string } | { refused: string; status: 400 | 404 };

/** Encoded forms that have no business in a bundle's file name: dot, slash, backslash, NUL. */
const ENCODED_TRAVERSAL = /%(2e|2f|5c|00)/i;

/**
 * The file under `rendererDir` that `url` names, from the URL alone (no file system access); the caller still checks
 * what is really there (readRendererFile).
 */
export function resolveRendererPath(rendererDir: string, url: string): Resolved {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { refused: 'not a URL', status: 400 };
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return { refused: `not ${APP_SCHEME}://${APP_HOST}`, status: 400 };
  // The raw path as it came: URL parsing folds `..` and `%2e%2e` segments away, so look before trusting the result.
  const raw = /^[a-z]+:\/\/[^/]*(\/[^?#]*)?/i.exec(url)?.[1] ?? '/';
  if (ENCODED_TRAVERSAL.test(raw) || raw.includes('\\') || raw.split('/').some((segment) => segment === '..' || segment === '.')) {
    return { refused: 'a path that leaves the renderer folder', status: 400 };
  }
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return { refused: 'a malformed escape in the path', status: 400 };
  }
  if (path.includes('\0')) return { refused: 'a NUL in the path', status: 400 };
  const relativePath = path === '/' || path === '' ? 'index.html' : path.replace(/^\/+/, '');
  const root = resolve(rendererDir);
  const file = resolve(join(root, relativePath));
  const inside = relative(root, file);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return { refused: 'a path that leaves the renderer folder', status: 400 };
  return { file };
}

export type RendererFile = { status: 200; body: Uint8Array; mimeType: string } | { status: 400 | 404 | 413; reason: string };

/**
 * The bytes `url` stands for, read only if the file really is inside `rendererDir` once symlinks are followed, is a
 * regular file, and fits the cap (readRegularFile checks the last two, on the path and again on the descriptor).
 */
export async function readRendererFile(rendererDir: string, url: string, maxBytes = MAX_RENDERER_FILE_BYTES): Promise<RendererFile> {
  const resolved = resolveRendererPath(rendererDir, url);
  if ('refused' in resolved) return { status: resolved.status, reason: resolved.refused };
  let real: string;
  let root: string;
  try {
    [real, root] = await Promise.all([realpath(resolved.file), realpath(rendererDir)]);
  } catch {
    return { status: 404, reason: 'no such file' };
  }
  if (real !== root && !real.startsWith(root.endsWith(sep) ? root : root + sep)) return { status: 400, reason: 'a link that leaves the renderer folder' };
  let body: Uint8Array;
  try {
    body = await readRegularFile(real, { maxBytes, what: 'renderer file' });
  } catch (err) {
    if (!(err instanceof FieldlineError)) throw err;
    if (err.code === 'FILE_TOO_LARGE') return { status: 413, reason: `over ${maxBytes} bytes` };
    if (err.code === 'FILE_NOT_REGULAR') return { status: 404, reason: 'not a file' };
    if (err.code === 'FILE_NOT_FOUND') return { status: 404, reason: 'no such file' };
    throw err;
  }
  return { status: 200, body, mimeType: MIME[extname(real).toLowerCase()] ?? 'application/octet-stream' };
}
