/**
 * The station's calls for signed releases: upload an artifact and publish it (a publisher's `fieldline release
 * publish`), read a channel's feed and an artifact's bytes (`fieldline sync`). The token goes only to the origin it
 * was given for, as RegistryClient's does; every reply is bounded, an artifact to the size its release declares.
 */
import { errorReplySchema } from '../contract/registry/api';
import {
  artifactPutReplySchema,
  publishReleaseReplySchema,
  RELEASE_LIMITS,
  releasesPageSchema,
  type ArtifactPutReply,
  type PublishReleaseReply,
  type PublishReleaseRequest,
  type ReleasesPage,
} from '../contract/registry/releases';
import type { z } from 'zod';
import { FieldlineError, isFieldlineError } from '../errors';
import { tokenNeeded, type BoundToken } from './registry-token';

const JSON_REPLY_BYTES = 4 * 1024 * 1024;

export interface ReleaseClientOptions {
  url: string;
  token: BoundToken;
  timeoutMs?: number;
}

async function readAtMost(response: Response, maxBytes: number, what: string): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) throw new FieldlineError('REGISTRY_BAD_REPLY', `${what}: ${declared} bytes, more than the ${maxBytes} expected`);
  if (!response.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body) {
    total += chunk.byteLength;
    if (total > maxBytes) throw new FieldlineError('REGISTRY_BAD_REPLY', `${what}: more than the ${maxBytes} bytes expected`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

function reasonOf(status: number, body: Buffer): string {
  let parsed;
  try {
    parsed = errorReplySchema.safeParse(JSON.parse(body.toString('utf8')));
  } catch {
    parsed = undefined;
  }
  return parsed?.success ? `HTTP ${status} ${parsed.data.error.code}: ${parsed.data.error.message}` : `HTTP ${status}`;
}

export class ReleaseClient {
  private readonly url: string;

  constructor(private readonly options: ReleaseClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
  }

  private async request(method: string, path: string, maxBytes: number, body?: { bytes: Uint8Array | string; type: string }): Promise<{ status: number; body: Buffer }> {
    const target = new URL(this.url + path);
    if (target.origin !== this.options.token.origin) throw tokenNeeded(this.url);
    const headers: Record<string, string> = { authorization: `Bearer ${this.options.token.value}` };
    if (body) headers['content-type'] = body.type;
    let response: Response;
    try {
      response = await fetch(target.href, {
        method,
        headers,
        ...(body ? { body: body.bytes } : {}),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause;
      throw new FieldlineError('REGISTRY_UNREACHABLE', `${this.url}: ${cause?.code ?? (err as Error).message}`);
    }
    const reply = await readAtMost(response, response.ok ? maxBytes : JSON_REPLY_BYTES, `${method} ${path}`);
    if (response.status === 401 || response.status === 403) throw new FieldlineError('REGISTRY_AUTH', reasonOf(response.status, reply));
    if (response.status >= 500 || response.status === 408 || response.status === 429) throw new FieldlineError('REGISTRY_UNREACHABLE', `${this.url}: ${reasonOf(response.status, reply)}`);
    if (!response.ok) throw new FieldlineError('REGISTRY_REJECTED', reasonOf(response.status, reply), { status: response.status });
    return { status: response.status, body: reply };
  }

  private async json<T extends z.ZodType>(method: string, path: string, schema: T, body?: { bytes: Uint8Array | string; type: string }): Promise<z.infer<T>> {
    const reply = await this.request(method, path, JSON_REPLY_BYTES, body);
    let value: unknown;
    try {
      value = JSON.parse(reply.body.toString('utf8'));
    } catch {
      value = undefined;
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new FieldlineError('REGISTRY_BAD_REPLY', `${method} ${path}: HTTP ${reply.status} with a body that does not fit the API`);
    return parsed.data;
  }

  putArtifact(sha256: string, bytes: Uint8Array): Promise<ArtifactPutReply> {
    return this.json('PUT', `/v1/artifacts/${sha256}`, artifactPutReplySchema, { bytes, type: 'application/octet-stream' });
  }

  publish(request: PublishReleaseRequest): Promise<PublishReleaseReply> {
    return this.json('POST', '/v1/releases', publishReleaseReplySchema, { bytes: JSON.stringify(request), type: 'application/json' });
  }

  feed(channel: string, since: string | undefined): Promise<ReleasesPage> {
    const query = since === undefined ? '' : `?since=${encodeURIComponent(since)}`;
    return this.json('GET', `/v1/channels/${encodeURIComponent(channel)}/releases${query}`, releasesPageSchema);
  }

  /**
   * An artifact found by its hash alone (a profile a run names, for the visit kit): its bytes, at most `maxBytes`, or
   * undefined when the registry does not hold it. The caller checks the hash.
   */
  async heldArtifact(sha256: string, maxBytes: number): Promise<Buffer | undefined> {
    try {
      return (await this.request('GET', `/v1/artifacts/${sha256}`, Math.min(maxBytes, RELEASE_LIMITS.artifactBytes))).body;
    } catch (err) {
      if (isFieldlineError(err, 'REGISTRY_REJECTED') && err.details.status === 404) return undefined;
      throw err;
    }
  }

  /** The artifact's bytes, at most `size` (its release's); the caller checks the hash and the signature. */
  async artifact(sha256: string, size: number): Promise<Buffer> {
    return (await this.request('GET', `/v1/artifacts/${sha256}`, Math.min(size, RELEASE_LIMITS.artifactBytes))).body;
  }
}
