/**
 * Which registry this station talks to: `<dataDir>/registry.json` ({url, station?, keyId?}) and the bearer token
 * in its own file, `<dataDir>/registry-token`, owner-only (0600). The token is a secret: it is never printed,
 * never logged (log fields named `token` are redacted anyway) and kept out of registry.json, so that file can be
 * shown or attached to a support request as it is.
 */
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { FieldlineError } from '../errors';

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

export interface RegistrySettings extends RegistryConfig {
  token: string;
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

export function saveRegistrySettings(dataDir: string, settings: RegistrySettings): void {
  const { token, ...config } = settings;
  if (!token || /\s/.test(token)) throw new FieldlineError('INVALID_ARGUMENT', 'the token is empty or contains whitespace');
  // The token first: a config that points at a registry without its token would fail at every sync.
  writePrivate(join(dataDir, REGISTRY_TOKEN_FILE), token + '\n', 0o600);
  writePrivate(join(dataDir, REGISTRY_CONFIG_FILE), JSON.stringify(configSchema.parse(config), null, 2) + '\n', 0o600);
}

/** The station's registry settings; REGISTRY_NOT_CONFIGURED before `fieldline registry login`. */
export function loadRegistrySettings(dataDir: string): RegistrySettings {
  const configFile = join(dataDir, REGISTRY_CONFIG_FILE);
  const tokenFile = join(dataDir, REGISTRY_TOKEN_FILE);
  if (!existsSync(configFile) || !existsSync(tokenFile)) {
    throw new FieldlineError('REGISTRY_NOT_CONFIGURED', `no ${existsSync(configFile) ? REGISTRY_TOKEN_FILE : REGISTRY_CONFIG_FILE} in ${dataDir}`);
  }
  let config: RegistryConfig;
  try {
    config = configSchema.parse(JSON.parse(readFileSync(configFile, 'utf8')));
  } catch (err) {
    throw new FieldlineError('REGISTRY_NOT_CONFIGURED', `${configFile} is not valid (${(err as Error).message.split('\n')[0]}); log in again`);
  }
  const token = readFileSync(tokenFile, 'utf8').trim();
  if (!token) throw new FieldlineError('REGISTRY_NOT_CONFIGURED', `${tokenFile} is empty`);
  return { ...config, token };
}
