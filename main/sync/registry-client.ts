/**
 * The station's side of the registry API (main/contract/registry/api.ts). Every reply is untrusted: bodies are read up to a
 * limit, parsed with the API's zod schemas, and a batch reply that does not account for exactly the ids sent is a
 * failure (nothing may be marked from it). Batch uploads return what happened as a value the drainer acts on;
 * the one-off calls (health, key, bundle, device) throw FieldlineErrors for the CLI to print.
 *
 * The token goes in the Authorization header and nowhere else: not in URLs, errors or log fields. Redirects are
 * not followed, so the token is never replayed to another address; and a token bound to one origin
 * (registry-token.ts) is checked against the address of every request as it is sent, so a client built with a
 * token for another registry sends nothing (REGISTRY_TOKEN_NEEDED), whoever built it.
 */
import { FieldlineError, isFieldlineError } from '../errors';
import { silentLogger, type Logger } from '../log';
import type { RunRecord } from '../contract/run-record';
import { parseRetryAfter } from './backoff';
import {
  batchUploadReplySchema,
  devicesPageSchema,
  deviceReplySchema,
  errorReplySchema,
  healthReplySchema,
  LIMITS,
  PATHS,
  stationKeyReplySchema,
  type BatchUploadReply,
  type DeviceReply,
  type DevicesPage,
} from '../contract/registry/api';
import { heartbeatReplySchema, type Heartbeat, type HeartbeatReply } from '../contract/registry/fleet';
import {
  revocationListPutReplySchema,
  revocationsReplySchema,
  type RevocationListPutReply,
  type RevocationListUpload,
  type RevocationsReply,
} from '../contract/registry/revocations';
import { bindToken, tokenNeeded, type BoundToken } from './registry-token';
import { z } from 'zod';

export interface RegistryClientOptions {
  url: string;
  /** A stored token with the origin it was given for, or a bare one the caller was given for `url` just now. */
  token: BoundToken | string;
  /** Per request, including reading the reply (default 30 s). */
  timeoutMs?: number;
  logger?: Logger;
  /** Clock for Retry-After dates (tests). */
  now?: () => number;
  /** Replaces global fetch (tests). */
  fetch?: typeof fetch;
}

/** What a batch upload came to. Only `acknowledged` says anything about individual records. */
export type BatchOutcome =
  | { kind: 'acknowledged'; reply: BatchUploadReply }
  /** Unreachable, timed out, 5xx, 429, 408 or an unreadable reply: try again later, Retry-After if given. */
  | { kind: 'retry'; reason: string; status?: number; retryAfterMs?: number }
  /**
   * 401/403: the token is wrong or revoked; or (no status) the token was given for another registry and was not
   * sent. Retrying cannot help until someone logs in again.
   */
  | { kind: 'auth'; reason: string; status?: number }
  /** 413: the body was too large for the registry. Send fewer records at a time. */
  | { kind: 'too-large'; reason: string; status: number }
  /** 400/422: the registry refused the request's content. One record of the batch is probably malformed. */
  | { kind: 'invalid'; reason: string; status: number }
  /** Any other 4xx or a redirect: the request itself is wrong (a wrong URL, say); nothing to retry soon. */
  | { kind: 'refused'; reason: string; status: number };

/** The most a reply body may be: large enough for a device with a long history, small enough to hold. */
const MAX_REPLY_BYTES = 32 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;

interface Reply {
  status: number;
  headers: Headers;
  text: string;
}

async function readLimited(response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  // REGISTRY_BAD_REPLY, not "unreachable": the registry answered, with more than any reply may be.
  if (declared > MAX_REPLY_BYTES) throw new FieldlineError('REGISTRY_BAD_REPLY', `reply of ${declared} bytes is larger than ${MAX_REPLY_BYTES}`);
  if (!response.body) return '';
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body) {
    total += chunk.byteLength;
    if (total > MAX_REPLY_BYTES) throw new FieldlineError('REGISTRY_BAD_REPLY', `reply larger than ${MAX_REPLY_BYTES} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The registry's own words for a failure ({"error":{code,message}}), else the status. */
function reasonOf(reply: Reply): string {
  const parsed = errorReplySchema.safeParse(parseJson(reply.text));
  return parsed.success ? `HTTP ${reply.status} ${parsed.data.error.code}: ${parsed.data.error.message}` : `HTTP ${reply.status}`;
}

/** A failed one-off call as the error the CLI prints: the registry's code picks ours where it is more precise. */
function callError(reply: Reply, url: string): FieldlineError {
  const { status } = reply;
  const parsed = errorReplySchema.safeParse(parseJson(reply.text));
  const code = parsed.success ? parsed.data.error.code : undefined;
  const message = parsed.success ? parsed.data.error.message : `HTTP ${status}`;
  if (code === 'BUNDLE_INVALID') return new FieldlineError('BUNDLE_INVALID', `the registry refused it: ${message}`, { status });
  // 403 for a bundle signed by a key the registry does not know for its station: not the token's fault.
  if (code === 'KEY_NOT_REGISTERED' || code === 'KEY_CONFLICT') return new FieldlineError('REGISTRY_REJECTED', `${message} (${code})`, { status, registryCode: code });
  if (status === 401 || status === 403) return new FieldlineError('REGISTRY_AUTH', reasonOf(reply), { status });
  if (status >= 500 || status === 429 || status === 408) return new FieldlineError('REGISTRY_UNREACHABLE', `${url}: ${reasonOf(reply)}`, { status });
  return new FieldlineError('REGISTRY_REJECTED', reasonOf(reply), { status });
}

/** Every id sent in exactly one of the reply's lists, and no other id. */
export function accountsForAll(reply: BatchUploadReply, ids: readonly string[]): boolean {
  const expected = new Set(ids);
  const seen = new Set<string>();
  for (const id of [...reply.accepted, ...reply.duplicate, ...reply.rejected.map((r) => r.id)]) {
    if (!expected.has(id) || seen.has(id)) return false;
    seen.add(id);
  }
  return seen.size === expected.size;
}

export class RegistryClient {
  readonly url: string;
  private readonly token: BoundToken;
  private readonly timeoutMs: number;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: RegistryClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.token = typeof options.token === 'string' ? bindToken(this.url, options.token) : options.token;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
    this.fetchImpl = options.fetch ?? fetch;
  }

  /**
   * One request; a network failure or timeout is thrown as an Error whose message says which, a token that does not
   * belong to the request's origin as REGISTRY_TOKEN_NEEDED before anything is sent.
   */
  private async request(method: string, path: string, body?: string | Uint8Array, signal?: AbortSignal): Promise<Reply> {
    const target = new URL(this.url + path);
    // Checked here, where the header is written, not only where settings change: no caller can get this wrong.
    if (target.origin !== this.token.origin) throw tokenNeeded(this.url);
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const headers: Record<string, string> = { authorization: `Bearer ${this.token.value}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      const response = await this.fetchImpl(target.href, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        redirect: 'manual',
        signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
      });
      return { status: response.status, headers: response.headers, text: await readLimited(response) };
    } catch (err) {
      if (err instanceof FieldlineError) throw err;
      if (timeout.aborted) throw new Error(`no answer within ${this.timeoutMs} ms`, { cause: err });
      if (signal?.aborted) throw err;
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new Error(cause?.code ?? cause?.message ?? (err as Error).message, { cause: err });
    }
  }

  /**
   * POSTs one batch. `body` is the request body ({"records":[…]}, built from the stored JSON as is) and `ids`
   * the record ids in it, in order, which the reply must account for.
   */
  async uploadBatch(body: string, ids: readonly string[], signal?: AbortSignal): Promise<BatchOutcome> {
    const started = performance.now();
    let reply: Reply;
    try {
      reply = await this.request('POST', PATHS.recordsBatch, body, signal);
    } catch (err) {
      if (signal?.aborted) throw err;
      if (isFieldlineError(err, 'REGISTRY_TOKEN_NEEDED')) return { kind: 'auth', reason: err.message };
      return { kind: 'retry', reason: `registry unreachable (${(err as Error).message})` };
    }
    this.logger.debug('batch', { records: ids.length, bytes: body.length, status: reply.status, ms: Math.round(performance.now() - started) });
    const { status } = reply;
    if (status >= 200 && status < 300) {
      const parsed = batchUploadReplySchema.safeParse(parseJson(reply.text));
      if (!parsed.success) return { kind: 'retry', status, reason: `the registry's reply (HTTP ${status}) is not a batch result` };
      if (!accountsForAll(parsed.data, ids)) return { kind: 'retry', status, reason: `the registry's reply does not account for the ${ids.length} records sent` };
      return { kind: 'acknowledged', reply: parsed.data };
    }
    const reason = reasonOf(reply);
    if (status === 429 || status === 408 || status >= 500) {
      const retryAfterMs = parseRetryAfter(reply.headers.get('retry-after'), this.now());
      return retryAfterMs === undefined ? { kind: 'retry', status, reason } : { kind: 'retry', status, reason, retryAfterMs };
    }
    if (status === 401 || status === 403) return { kind: 'auth', status, reason };
    if (status === 413) return { kind: 'too-large', status, reason };
    if (status === 400 || status === 422) return { kind: 'invalid', status, reason };
    if (status >= 300 && status < 400) return { kind: 'refused', status, reason: `${reason}: the registry URL redirects to ${reply.headers.get('location') ?? '?'}; log in with that URL` };
    return { kind: 'refused', status, reason };
  }

  /** Builds the body from records (bundle import, benchmarks) and uploads it. */
  uploadRecords(records: readonly RunRecord[], signal?: AbortSignal): Promise<BatchOutcome> {
    return this.uploadBatch(JSON.stringify({ records }), records.map((r) => r.id), signal);
  }

  /** A call whose failure the caller reports as is: the reply parsed with `schema`, or a FieldlineError. */
  private async call<T extends z.ZodType>(method: string, path: string, schema: T, body?: string | Uint8Array, allow404 = false): Promise<z.infer<T> | undefined> {
    let reply: Reply;
    try {
      reply = await this.request(method, path, body);
    } catch (err) {
      if (err instanceof FieldlineError) throw err;
      throw new FieldlineError('REGISTRY_UNREACHABLE', `${this.url}: ${(err as Error).message}`);
    }
    const { status } = reply;
    if (status === 404 && allow404) return undefined;
    if (status < 200 || status >= 300) throw callError(reply, this.url);
    const parsed = schema.safeParse(parseJson(reply.text));
    if (!parsed.success) throw new FieldlineError('REGISTRY_BAD_REPLY', `${method} ${path}: HTTP ${status} with a body that does not fit the API`);
    return parsed.data;
  }

  /** Is this a registry, and does it accept the token? Throws otherwise. */
  async health(): Promise<void> {
    await this.call('GET', PATHS.health, healthReplySchema);
  }

  /** Registers the station's bundle-signing public key (SPKI DER, base64) under the token's station. */
  async registerStationKey(publicKey: string): Promise<z.infer<typeof stationKeyReplySchema>> {
    return (await this.call('POST', PATHS.stationKeys, stationKeyReplySchema, JSON.stringify({ publicKey })))!;
  }

  /** Sends an offline bundle as it is; the registry checks its signature against the station's registered key. */
  async uploadBundle(bytes: Uint8Array): Promise<BatchUploadReply> {
    return (await this.call('POST', PATHS.bundles, batchUploadReplySchema, bytes))!;
  }

  /** Reports the station's state (heartbeat.ts); the registry keeps the latest per station. */
  async sendHeartbeat(heartbeat: Heartbeat): Promise<HeartbeatReply> {
    return (await this.call('PUT', PATHS.heartbeat, heartbeatReplySchema, JSON.stringify(heartbeat)))!;
  }

  /** The device with its runs and service records, or undefined when the registry has none for that serial. */
  device(serial: string): Promise<DeviceReply | undefined> {
    return this.call('GET', PATHS.device.replace(':serial', encodeURIComponent(serial)), deviceReplySchema, undefined, true);
  }

  /** One page of the devices at a site (`cursor`: the page before's nextCursor). */
  async devicesAtSite(site: string, cursor?: string, limit: number = LIMITS.pageDevices): Promise<DevicesPage> {
    const query = new URLSearchParams({ site, limit: String(limit), ...(cursor !== undefined ? { cursor } : {}) });
    return (await this.call('GET', `${PATHS.devices}?${query.toString()}`, devicesPageSchema))!;
  }

  /** Every station's revocation list. */
  async revocations(): Promise<RevocationsReply> {
    return (await this.call('GET', PATHS.revocations, revocationsReplySchema))!;
  }

  /** Replaces this station's revocation list in the registry with `list` (its CA's whole list). */
  async putRevocations(list: RevocationListUpload): Promise<RevocationListPutReply> {
    return (await this.call('PUT', PATHS.stationRevocations, revocationListPutReplySchema, JSON.stringify(list)))!;
  }
}
