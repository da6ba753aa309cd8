/**
 * A registry that misbehaves on request, for the sync tests: a plain node:http server on loopback that either
 * forwards each request to a real registry (`target`: the reference registry, untouched) or, without a target,
 * answers batches itself from memory (accepted the first time an id is seen, duplicate after). A `fault` function
 * sees every request first and may answer instead: a status with headers and body, a delay, a request that never
 * gets an answer, or a connection cut. Every request is recorded.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface SeenRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  /** Record ids of a batch upload, in order. */
  ids: string[];
  bytes: number;
}

export type Fault =
  | { status: number; headers?: Record<string, string>; body?: unknown }
  /** Wait, then carry on (forward or answer). */
  | { delayMs: number }
  /** Never answer (the client's timeout must fire). */
  | { hang: true }
  /** Close the socket without an answer. */
  | { destroy: true };

export interface FaultRegistry {
  url: string;
  port: number;
  requests: SeenRequest[];
  /** Ids the in-memory registry holds (no target), in arrival order, each once. */
  stored: string[];
  close(): Promise<void>;
}

export interface FaultRegistryOptions {
  /** Forward to this registry (http://host:port) when no fault answers. */
  target?: string;
  fault?: (request: SeenRequest, index: number) => Fault | undefined;
  /** Listen on this port (to bring a registry "back" where it was); default any. */
  port?: number;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function idsOf(body: Buffer): string[] {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { records?: Array<{ id?: unknown }> };
    return Array.isArray(parsed.records) ? parsed.records.map((r) => String(r.id)) : [];
  } catch {
    return [];
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}

export async function startFaultRegistry(options: FaultRegistryOptions = {}): Promise<FaultRegistry> {
  const requests: SeenRequest[] = [];
  const stored: string[] = [];
  const known = new Set<string>();
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const seen: SeenRequest = { method: req.method ?? '', path: (req.url ?? '').split('?')[0] ?? '', authorization: req.headers.authorization, ids: idsOf(body), bytes: body.length };
      const index = requests.push(seen) - 1;
      const fault = options.fault?.(seen, index);
      if (fault && 'hang' in fault) return;
      if (fault && 'destroy' in fault) {
        req.socket.destroy();
        return;
      }
      if (fault && 'status' in fault) {
        send(res, fault.status, fault.body ?? { error: { code: 'INTERNAL', message: `injected ${fault.status}` } }, fault.headers);
        return;
      }
      if (fault && 'delayMs' in fault) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (options.target) {
        const headers: Record<string, string> = {};
        for (const name of ['authorization', 'content-type', 'accept']) {
          const value = req.headers[name];
          if (typeof value === 'string') headers[name] = value;
        }
        // The forward is not tied to this client: a client killed mid-request still gets its batch stored,
        // which is the case a restart must cope with.
        const upstream = await fetch(options.target + (req.url ?? ''), { method: req.method ?? 'GET', headers, ...(body.length > 0 ? { body } : {}) });
        const text = await upstream.text();
        if (!res.destroyed) send(res, upstream.status, text, Object.fromEntries([...upstream.headers].filter(([k]) => k === 'retry-after')));
        return;
      }
      if (seen.path === '/v1/records:batch' && req.method === 'POST') {
        const reply = { accepted: [] as string[], duplicate: [] as string[], rejected: [] };
        for (const id of seen.ids) {
          if (known.has(id)) reply.duplicate.push(id);
          else {
            known.add(id);
            stored.push(id);
            reply.accepted.push(id);
          }
        }
        send(res, 200, reply);
        return;
      }
      if (seen.path === '/v1/health') return send(res, 200, { status: 'ok' });
      send(res, 404, { error: { code: 'NOT_FOUND', message: 'stub' } });
    })().catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) send(res, 502, { error: { code: 'INTERNAL', message: String(err) } });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    stored,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
