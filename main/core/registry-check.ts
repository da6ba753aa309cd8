/**
 * Before Settings saves a registry, it is tried: `/v1/health` must answer as a Fieldline registry, and the token (the
 * one given, else the stored one when it was given for the same origin) must be accepted by an authenticated read.
 * What failed is said in the error, and the caller saves nothing: a URL saved with "Saved" that no registry answers
 * at only shows up hours later as a queue that never drains.
 */
import { FieldlineError, isFieldlineError } from '../errors';
import { RegistryClient } from '../sync/registry-client';
import { isLoopbackUrl, normalizeRegistryUrl } from '../sync/registry-config';
import { bindToken, originOf, type BoundToken } from '../sync/registry-token';

export interface RegistryCheckOptions {
  /** Each request's limit (default 5 s: a technician waits for it in Settings). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * A serial no registry holds: looking a device up is the cheapest authenticated read with no side effect, and its
 * 404 proves the token as well as a 200 would.
 */
const PROBE_SERIAL = 'fieldline-settings-check';

const nothingSaved = (code: FieldlineError['code'], message: string, cause: unknown): FieldlineError =>
  new FieldlineError(code, `nothing was saved: ${message}`, {}, { cause });

/** The token to try: the one typed, else the stored one when it belongs to `url`'s origin. */
function tokenFor(url: string, typed: string | undefined, stored: BoundToken | undefined): BoundToken | undefined {
  if (typed !== undefined) return bindToken(url, typed);
  return stored && stored.origin === originOf(url) ? stored : undefined;
}

/** Resolves when the registry answers and accepts the token; otherwise a FieldlineError that says which failed. */
export async function checkRegistry(url: string, typed: string | undefined, stored: BoundToken | undefined, options: RegistryCheckOptions = {}): Promise<void> {
  const normalized = normalizeRegistryUrl(url);
  // Checked before anything is sent: the token must not cross the network in clear to try a URL that is refused anyway.
  if (normalized.startsWith('http:') && !isLoopbackUrl(normalized)) {
    throw new FieldlineError('INVALID_ARGUMENT', 'use https:// for a registry on another machine: the token would travel in clear over http');
  }
  const token = tokenFor(normalized, typed, stored);
  if (!token) {
    throw new FieldlineError('REGISTRY_TOKEN_NEEDED', `nothing was saved: give the station token for ${originOf(normalized)} — the URL and its token are tested together`);
  }
  const client = new RegistryClient({ url: normalized, token, timeoutMs: options.timeoutMs ?? 5000, ...(options.fetch ? { fetch: options.fetch } : {}) });
  try {
    await client.health();
  } catch (err) {
    if (!(err instanceof FieldlineError)) throw err;
    if (err.code === 'REGISTRY_UNREACHABLE') throw nothingSaved('REGISTRY_UNREACHABLE', `${normalized}/v1/health did not answer (${err.message.replace(`${normalized}: `, '')})`, err);
    // A web server that is not a registry: a 404, or a page that is not the health reply.
    throw nothingSaved('REGISTRY_BAD_REPLY', `${normalized} is not a Fieldline registry (/v1/health: ${err.message})`, err);
  }
  try {
    await client.device(PROBE_SERIAL);
  } catch (err) {
    if (isFieldlineError(err, 'REGISTRY_AUTH')) throw nothingSaved('REGISTRY_AUTH', `${normalized} answers, but refused the station token (${err.message})`, err);
    if (err instanceof FieldlineError) throw nothingSaved(err.code, `${normalized} answers, but the token could not be checked (${err.message})`, err);
    throw err;
  }
}
