/**
 * The station's token sessions, run in a worker thread (pkcs11-worker.ts) so that every PKCS#11 call is bounded:
 * pkcs11js makes most calls synchronously (C_Initialize, C_GetSlotList, C_Login, C_FindObjects…), and a token that
 * hangs in one would otherwise freeze the station's event loop. Each request has a time limit; past it the worker
 * is terminated — the token is not answering, and its thread may be stuck in the module for good — every session
 * of it fails from then on, and the next open starts a new worker.
 *
 * One worker per process, shared by every session, because the PKCS#11 library state it fronts is per process
 * (pkcs11-module.ts): a second worker would C_Initialize the same library again. It is started by the first open,
 * ended by the last close, and keeps the process alive only while a request is under way.
 */
import { Worker } from 'node:worker_threads';
import { FieldlineError } from '../errors';
import type { OpenedReply, Pkcs11Reply, Pkcs11Request, Pkcs11Value, RemoteKey } from './pkcs11-protocol';
import { DEFAULT_PKCS11_TIMEOUT_MS, type KeyProtection, type TokenApi, type TokenInfoSummary, type TokenLocation } from './pkcs11-token';

// Built, the worker is its own entry beside the bundle's chunks; held in a variable so the bundler leaves it alone.
const BUILT_ENTRY = './pkcs11-worker.js';
/** The worker's own bound on an asynchronous call comes first, so its clearer message wins; this one is the backstop. */
const BACKSTOP_MS = 2000;
/** Starting the worker (from the sources: tsx registering itself) is not the token's time: bounded apart, generously. */
const STARTUP_MS = 30_000;

/** Through tsx's bootstrap when running from the sources, the built file otherwise. */
function workerEntry(): URL {
  return import.meta.url.endsWith('.ts') ? new URL('./pkcs11-worker-boot.mjs', import.meta.url) : new URL(BUILT_ENTRY, import.meta.url);
}

export interface RemoteTokenOptions extends TokenLocation {
  pin: string;
  timeoutMs?: number;
  /** Tests: a worker that misbehaves in ways no token can be made to. */
  workerEntry?: URL;
}

type Request = Pkcs11Request extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

interface Pending {
  resolve(value: Pkcs11Value): void;
  reject(err: unknown): void;
  timer: NodeJS.Timeout;
}

class WorkerHost {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private readonly ready: Promise<void>;
  private rejectReady: (err: FieldlineError) => void = () => undefined;
  private nextId = 1;
  /** Requests between their start and their reply (waiting for the worker to start included). */
  private inFlight = 0;
  /** Why the worker is gone; set once, and every later request fails with it. */
  failure: FieldlineError | undefined;
  sessions = 0;

  constructor(entry: URL, private readonly onGone: (host: WorkerHost) => void) {
    // Its output is the module's; a stray line must not reach a CLI's JSON stdout.
    this.worker = new Worker(entry, { stdout: true, stderr: true });
    this.worker.stdout.resume();
    this.worker.stderr.resume();
    this.ready = new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new FieldlineError('INTERNAL', `the PKCS#11 worker did not start within ${STARTUP_MS} ms`)), STARTUP_MS);
      timer.unref();
      this.rejectReady = (err) => {
        clearTimeout(timer);
        reject(err);
      };
      const onReady = (message: unknown): void => {
        if (message !== 'ready') return;
        this.worker.off('message', onReady);
        clearTimeout(timer);
        resolve();
      };
      this.worker.on('message', onReady);
    });
    // Nobody may be waiting when it fails to start: that is reported to the next request, not as unhandled.
    this.ready.catch(() => undefined);
    this.worker.on('message', (message: Pkcs11Reply | 'ready') => {
      if (message === 'ready') return;
      const job = this.pending.get(message.id);
      if (!job) return;
      this.pending.delete(message.id);
      clearTimeout(job.timer);
      if (message.ok) job.resolve(message.value);
      else if ('bug' in message) job.reject(new FieldlineError('INTERNAL', `the PKCS#11 worker failed: ${message.bug.split('\n')[0] ?? ''}`, { stack: message.bug }));
      else job.reject(new FieldlineError(message.error.code, message.error.message, message.error.details));
    });
    this.worker.on('error', (err) => this.fail(new FieldlineError('INTERNAL', `the PKCS#11 worker failed: ${err.message}`, {}, { cause: err })));
    this.worker.on('exit', (code) => this.fail(new FieldlineError('PKCS11_TOKEN', `the PKCS#11 worker stopped (exit code ${code})`)));
    this.worker.unref();
  }

  /**
   * Sends one request once the worker has started; rejects PKCS11_TOKEN (and ends the worker) when no reply comes
   * within `timeoutMs` of sending it.
   */
  async request(request: Request, timeoutMs: number, what: string): Promise<Pkcs11Value> {
    if (this.failure) throw this.failure;
    // The worker keeps the process alive while it owes a reply, and not after.
    if (this.inFlight++ === 0) this.worker.ref();
    try {
      await this.ready;
      if (this.failure) throw this.failure;
      const id = this.nextId++;
      const reply = new Promise<Pkcs11Value>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.pending.delete(id);
          reject(new FieldlineError('PKCS11_TOKEN', `the token did not answer ${what} within ${timeoutMs} ms`));
          this.fail(new FieldlineError('PKCS11_TOKEN', `the token stopped answering (${what} timed out): unlock the station CA again`));
        }, timeoutMs);
        this.pending.set(id, { resolve, reject, timer });
      });
      this.worker.postMessage({ ...request, id });
      return await reply;
    } finally {
      if (--this.inFlight === 0 && !this.failure) this.worker.unref();
    }
  }

  async end(): Promise<void> {
    this.fail(new FieldlineError('PKCS11_TOKEN', 'the token session is closed'));
  }

  private fail(err: FieldlineError): void {
    if (this.failure) return;
    this.failure = err;
    this.rejectReady(err);
    for (const [id, job] of this.pending) {
      clearTimeout(job.timer);
      this.pending.delete(id);
      job.reject(err);
    }
    this.onGone(this);
    // A thread stuck inside the module does not stop for this; the process still exits, and nothing waits on it.
    void this.worker.terminate();
  }
}

/** The process's worker, shared as the PKCS#11 library it fronts is (see the header). */
let current: WorkerHost | undefined;

function host(entry: URL): WorkerHost {
  if (!current || current.failure) {
    current = new WorkerHost(entry, (gone) => {
      if (current === gone) current = undefined;
    });
  }
  return current;
}

class RemoteTokenSession implements TokenApi<RemoteKey> {
  private closed = false;

  constructor(
    private readonly host: WorkerHost,
    private readonly ref: number,
    readonly token: TokenInfoSummary,
    readonly location: TokenLocation,
    private readonly timeoutMs: number,
  ) {}

  async generateEcKey(label: string, curve: 'P-256' | 'P-384' = 'P-256'): Promise<RemoteKey> {
    return (await this.call({ op: 'generate', session: this.ref, label, curve }, 'key generation')) as RemoteKey;
  }

  async findKey(match: { label?: string; id?: string }): Promise<RemoteKey> {
    return (await this.call({ op: 'find', session: this.ref, match }, 'key lookup')) as RemoteKey;
  }

  async signDigest(key: RemoteKey, digest: Uint8Array): Promise<Uint8Array> {
    return (await this.call({ op: 'sign', session: this.ref, key: key.ref, digest }, 'signing')) as Uint8Array;
  }

  async privateKeyProtection(key: RemoteKey): Promise<KeyProtection> {
    return (await this.call({ op: 'protection', session: this.ref, key: key.ref }, 'attribute read')) as KeyProtection;
  }

  async destroyKey(key: RemoteKey): Promise<void> {
    await this.call({ op: 'destroy', session: this.ref, key: key.ref }, 'key removal');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (!this.host.failure) await this.host.request({ op: 'close', session: this.ref }, this.timeoutMs + BACKSTOP_MS, 'closing the session');
    } catch {
      // A token that does not close its session in time is left to the worker's end below.
    } finally {
      if (--this.host.sessions <= 0) await this.host.end();
    }
  }

  private call(request: Request, what: string): Promise<Pkcs11Value> {
    if (this.closed) return Promise.reject(new FieldlineError('PKCS11_TOKEN', 'the token session is closed'));
    return this.host.request(request, this.timeoutMs + BACKSTOP_MS, what);
  }
}

/** Opens a logged-in session on the token in the worker (see TokenSession.open for what is checked). */
export async function openRemoteToken(options: RemoteTokenOptions): Promise<TokenApi<RemoteKey>> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_PKCS11_TIMEOUT_MS;
  const worker = host(options.workerEntry ?? workerEntry());
  worker.sessions++;
  try {
    const { module, tokenLabel, tokenSerial, pin } = options;
    const opened = (await worker.request(
      { op: 'open', options: { module, tokenLabel, ...(tokenSerial === undefined ? {} : { tokenSerial }), pin, timeoutMs } },
      timeoutMs,
      'opening a session',
    )) as OpenedReply;
    return new RemoteTokenSession(worker, opened.session, opened.token, opened.location, timeoutMs);
  } catch (err) {
    if (--worker.sessions <= 0) await worker.end();
    throw err;
  }
}
