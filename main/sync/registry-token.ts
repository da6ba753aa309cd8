/**
 * A registry token bound to the origin it was given for. A token proves who this station is to one registry; sent
 * to any other host it hands that host the station's identity. So the token is stored together with the origin
 * (scheme, host and port) of the URL it was given with — in the same secret, so the two cannot be separated by
 * editing registry.json — and the registry client sends it only to that origin.
 *
 * Stored form (the `registry-token` file, or the desktop's encrypted secret): `{"origin":"…","token":"…"}`.
 * A token written by an older version is the token alone; it was given for the URL in registry.json at the time,
 * so it is read as bound to that URL's origin (and rewritten in the bound form by whoever reads it first).
 */
import { z } from 'zod';
import { FieldlineError } from '../errors';

export interface BoundToken {
  /** `URL.origin` of the registry the token was given for, e.g. `https://registry.example.com`. */
  origin: string;
  value: string;
}

const storedSchema = z.object({ origin: z.string().min(1), token: z.string().min(1) }).strict();

/** The origin a token given with `url` is bound to. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    throw new FieldlineError('INVALID_ARGUMENT', `"${url}" is not a URL`);
  }
}

export function bindToken(url: string, value: string): BoundToken {
  if (!value || /\s/.test(value)) throw new FieldlineError('INVALID_ARGUMENT', 'the token is empty or contains whitespace');
  return { origin: originOf(url), value };
}

export function encodeBoundToken(token: BoundToken): string {
  return JSON.stringify({ origin: token.origin, token: token.value });
}

export interface DecodedToken {
  token: BoundToken;
  /** Written by an older version (the token alone): bound here to `legacyUrl`, to be rewritten in the bound form. */
  legacy: boolean;
}

/**
 * Reads a stored token. `legacyUrl` is the registry URL a bare token (an older version's) is taken to belong to;
 * without one, a bare token is bound to nothing and undefined is answered.
 */
export function decodeBoundToken(stored: string, legacyUrl: string | undefined): DecodedToken | undefined {
  const text = stored.trim();
  if (!text) return undefined;
  if (text.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return undefined;
    }
    const parsed = storedSchema.safeParse(json);
    return parsed.success ? { token: { origin: parsed.data.origin, value: parsed.data.token }, legacy: false } : undefined;
  }
  if (legacyUrl === undefined || /\s/.test(text)) return undefined;
  return { token: { origin: originOf(legacyUrl), value: text }, legacy: true };
}

/** Does the token belong to the registry at `url`? */
export function tokenFits(token: BoundToken, url: string): boolean {
  return token.origin === originOf(url);
}

/** What the CLI and the app say when the registry has no token of its own (never given, or the URL changed). */
export function tokenNeeded(url: string): FieldlineError {
  return new FieldlineError('REGISTRY_TOKEN_NEEDED', `no token for ${url}: run fieldline registry login --url ${url} --token-stdin`, { url });
}
