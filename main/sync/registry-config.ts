/**
 * Which registry this station talks to: `<dataDir>/registry.json` ({url, station?, keyId?}) and the bearer token
 * in its own file, `<dataDir>/registry-token`, owner-only (0600). The token is a secret: it is never printed,
 * never logged (log fields named `token` are redacted anyway) and kept out of registry.json, so that file can be
 * shown or attached to a support request as it is. The token file holds the token with the origin it was given
 * for (registry-token.ts): a registry.json pointing elsewhere finds no token, REGISTRY_TOKEN_NEEDED.
 */
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { FieldlineError } from '../errors';
import { bindToken, decodeBoundToken, encodeBoundToken, tokenFits, tokenNeeded, type BoundToken } from './registry-token';

export const REGISTRY_CONFIG_FILE = 'registry.json';
export const REGISTRY_TOKEN_FILE = 'registry-token';

const configSchema = z.object({
  url: z.string().url(),
  /** The station name the registry knows this token by (learned at login). */
  station: z.string().optional(),
  /** The station key the registry has registered for this station's bundles. */
  keyId: z.string().optional(),
});
export type RegistryConfig = z.infer<typeof configSchema>;

/** What `registry login` saves: the token is given for `url`. */
export interface RegistryLogin extends RegistryConfig {
  token: string;
}

/** What a sync uses: the token as stored, bound to the origin it was given for (which is `url`'s). */
export interface RegistrySettings extends RegistryConfig {
  token: BoundToken;
}

/** A registry URL as the client uses it: http(s), no trailing slash, no credentials or query in it. */
export function normalizeRegistryUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new FieldlineError('INVALID_ARGUMENT', `"${input}" is not a URL (expected e.g. https://registry.example.com)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FieldlineError('INVALID_ARGUMENT', `the registry URL must be http or https, not ${url.protocol}`);
  if (url.username || url.password) throw new FieldlineError('INVALID_ARGUMENT', 'put the token in --token-stdin, not in the URL');
  if (url.search || url.hash) throw new FieldlineError('INVALID_ARGUMENT', 'the registry URL takes no query or fragment');
  return url.toString().replace(/\/+$/, '');
}

/** Is the URL's host this machine? Plain http is acceptable only there (the token travels in clear otherwise). */
export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\./.test(host);
}

/** Writes a file atomically (temp + rename) with `mode`, also when it existed with another mode. */
function writePrivate(file: string, text: string, mode: number): void {
  const temp = `${file}.tmp-${process.pid}`;
  writeFileSync(temp, text, { mode });
  if (process.platform !== 'win32') chmodSync(temp, mode);
  renameSync(temp, file);
}

export function saveRegistrySettings(dataDir: string, settings: RegistryLogin): void {
  const { token, ...config } = settings;
  const bound = bindToken(config.url, token);
  // The token first: a config that points at a registry without its token would fail at every sync.
  writePrivate(join(dataDir, REGISTRY_TOKEN_FILE), encodeBoundToken(bound) + '\n', 0o600);
  writePrivate(join(dataDir, REGISTRY_CONFIG_FILE), JSON.stringify(configSchema.parse(config), null, 2) + '\n', 0o600);
}

/**
 * The station's registry settings; REGISTRY_NOT_CONFIGURED before `fieldline registry login`, REGISTRY_TOKEN_NEEDED
 * when the stored token was given for another registry than registry.json's (its URL was changed since).
 */
export function loadRegistrySettings(dataDir: string): RegistrySettings {
  const configFile = join(dataDir, REGISTRY_CONFIG_FILE);
  const tokenFile = join(dataDir, REGISTRY_TOKEN_FILE);
  if (!existsSync(configFile)) throw new FieldlineError('REGISTRY_NOT_CONFIGURED', `no ${REGISTRY_CONFIG_FILE} in ${dataDir}`);
  let config: RegistryConfig;
  try {
    config = configSchema.parse(JSON.parse(readFileSync(configFile, 'utf8')));
  } catch (err) {
    throw new FieldlineError('REGISTRY_NOT_CONFIGURED', `${configFile} is not valid (${(err as Error).message.split('\n')[0]}); log in again`);
  }
  // A URL without its token: never logged in there, or the URL was changed in Settings, which drops the token.
  if (!existsSync(tokenFile)) throw tokenNeeded(config.url);
  const stored = readFileSync(tokenFile, 'utf8');
  const decoded = decodeBoundToken(stored, config.url);
  if (!decoded) throw new FieldlineError('REGISTRY_NOT_CONFIGURED', `${tokenFile} is empty or not a token; log in again`);
  if (!tokenFits(decoded.token, config.url)) throw tokenNeeded(config.url);
  // An older version's bare token: bound now, so a later edit of registry.json cannot carry it elsewhere.
  if (decoded.legacy) writePrivate(tokenFile, encodeBoundToken(decoded.token) + '\n', 0o600);
  return { ...config, token: decoded.token };
}
