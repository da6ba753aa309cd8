/**
 * The Content-Security-Policy header for station web mode: the renderer's own policy (its index.html meta tag, so
 * the two can never disagree), with connect-src widened to this server's WebSocket and the directives a meta tag
 * cannot carry (frame-ancestors) added.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Used when the build has no meta policy: as strict as the renderer's. */
const FALLBACK =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";

export function metaPolicy(html: string): string | undefined {
  const tag = /<meta\s[^>]*http-equiv\s*=\s*["']Content-Security-Policy["'][^>]*>/i.exec(html)?.[0];
  return tag ? /content\s*=\s*"([^"]*)"/i.exec(tag)?.[1] ?? /content\s*=\s*'([^']*)'/i.exec(tag)?.[1] : undefined;
}

/** Reads the renderer's policy once; the returned function builds the header for one request's Host. */
export function cspForStaticDir(staticDir: string): (host: string) => string {
  let base = FALLBACK;
  try {
    base = metaPolicy(readFileSync(join(staticDir, 'index.html'), 'utf8')) ?? FALLBACK;
  } catch {
    // No index.html: the server answers 404 for it anyway; the fallback still protects anything else served.
  }
  const directives = base
    .split(';')
    .map((d) => d.trim())
    .filter((d) => d !== '' && !/^(connect-src|frame-ancestors)\b/i.test(d));
  const connect = /(?:^|;)\s*connect-src\s+([^;]*)/i.exec(base)?.[1]?.trim() ?? "'self'";
  return (host) => [...directives, `connect-src ${connect} ws://${host}`, "frame-ancestors 'none'"].join('; ');
}
