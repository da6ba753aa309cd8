/**
 * SmpClient: requests and replies over any byte Transport, given the Framer that suits it.
 *
 * - Replies are matched by sequence number (and group/command); a reply nobody waits for is stale and dropped,
 *   and the sequence numbers of timed-out requests are not reused for a while, so a late reply can never be
 *   taken for the answer to a newer request (SMP.md §9.2).
 * - Each attempt has its own timeout; a retry goes out under a fresh sequence number, and a late reply to an
 *   earlier attempt of the same request is accepted. Idempotent requests (reads, and writes marked so) are always
 *   retried; a write that must not run twice is sent as often as its caller says.
 * - SMP v2 is probed on the first request and the answer cached per device; v1-only servers are detected by
 *   the version of their reply (or by silence) and spoken to in v1 from then on (§3.4).
 * - At most `maxInFlight` requests are outstanding (1 by default: devices handle one command at a time unless
 *   a caller such as the pipelined uploader knows the device's buffer count).
 */
import { FieldlineError } from '../errors';
import { silentLogger, type Logger } from '../log';
import type { Transport } from '../transport/transport';
import { decodeCbor, encodeCbor, type CborValue } from './cbor';
import { groupName, MGMT_RC } from './error-codes';
import type { Framer, PacketDecoder } from './framer';
import { decodePacket, encodePacket, Op, type SmpHeader, type SmpVersion } from './header';
import { checkReply, SmpError, type ReplyBody } from './smp-error';

export type RequestBody = { [key: string]: CborValue };

export interface RequestOptions {
  /** Per-attempt timeout. */
  timeoutMs?: number;
  /** Further attempts after a timeout. */
  retries?: number;
  /**
   * Sending the request again does what sending it once does. Reads are (the default for a read); a write is only
   * when its caller says so: echo, or a shell command known to only read, such as `hwinfo devid`. An idempotent
   * request gets at least the client's default retries — `retries` may raise that, never lower it — because one
   * lost frame must not fail what can simply be asked again (issue #11: `hwinfo devid` was sent once and 6 of 50
   * runs at 5 % loss failed on it). A write that is not idempotent keeps the `retries` its caller gives.
   */
  idempotent?: boolean;
  signal?: AbortSignal;
}

export interface SmpClientOptions {
  framer: Framer;
  logger?: Logger;
  /**
   * Per-device SMP version answers (by transport id), for clients that talk to the same device one after another (a
   * session re-opened after a reboot). Default: this client's own, so clients of one process share nothing unasked.
   */
  versionCache?: Map<string, SmpVersion>;
  /** Version to use without probing (e.g. a known MCUboot serial recovery: 0). */
  forceVersion?: SmpVersion;
  defaultTimeoutMs?: number;
  defaultRetries?: number;
  maxInFlight?: number;
  /** How long the sequence numbers of finished or timed-out requests stay reserved for late replies. */
  staleWindowMs?: number;
}

export interface ClientStats {
  requests: number;
  retries: number;
  timeouts: number;
  staleReplies: number;
  malformed: number;
  bytesSent: number;
  bytesReceived: number;
}

interface Pending {
  group: number;
  command: number;
  op: Op;
  sequences: number[];
  resolve(reply: { header: SmpHeader; body: ReplyBody }): void;
  reject(error: Error): void;
}

export class SmpClient {
  readonly stats: ClientStats = { requests: 0, retries: 0, timeouts: 0, staleReplies: 0, malformed: 0, bytesSent: 0, bytesReceived: 0 };
  private readonly framer: Framer;
  private readonly logger: Logger;
  private readonly versionCache: Map<string, SmpVersion>;
  private readonly decoder: PacketDecoder;
  private readonly pending = new Map<number, Pending>();
  private readonly reserved = new Map<number, number>(); // sequence → reserved until (ms)
  private readonly waiting: Array<() => void> = [];
  private readonly unsubscribe: Array<() => void> = [];
  private nextSequence = Math.floor(Math.random() * 256);
  private inFlight = 0;
  private maxInFlight: number;
  private closedError: Error | undefined;
  readonly defaultTimeoutMs: number;
  private readonly defaultRetries: number;
  private readonly staleWindowMs: number;

  constructor(
    readonly transport: Transport,
    options: SmpClientOptions,
  ) {
    this.framer = options.framer;
    this.logger = options.logger ?? silentLogger;
    this.versionCache = options.versionCache ?? new Map();
    if (options.forceVersion !== undefined) this.versionCache.set(transport.id, options.forceVersion);
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? 3000;
    this.defaultRetries = options.defaultRetries ?? 2;
    this.maxInFlight = options.maxInFlight ?? 1;
    this.staleWindowMs = options.staleWindowMs ?? 30_000;
    this.decoder = this.framer.createDecoder({
      onPacket: (packet) => this.onPacket(packet),
      onError: (error) => {
        this.stats.malformed++;
        this.logger.warn('dropped a malformed frame', { error: error.message });
      },
    });
    this.unsubscribe.push(
      transport.onData((data) => {
        this.stats.bytesReceived += data.length;
        this.decoder.push(data);
      }),
      transport.onClose((error) => this.failAll(error ?? new FieldlineError('DEVICE_DISCONNECTED', `${transport.id} closed`))),
    );
  }

  get framerName(): string {
    return this.framer.name;
  }

  /** The largest request packet the device accepts for a given `buf_size` (serial: length + CRC share it). */
  maxPacketFor(bufSize: number): number {
    return bufSize - this.framer.bufferOverhead;
  }

  wireLength(packetLength: number): number {
    return this.framer.wireLength(packetLength);
  }

  /** Lets a caller that knows the device's buffers (the uploader) keep several requests outstanding. */
  setMaxInFlight(n: number): void {
    this.maxInFlight = Math.max(1, Math.floor(n));
    this.pump();
  }

  get version(): SmpVersion | undefined {
    return this.versionCache.get(this.transport.id);
  }

  read(group: number, command: number, body: RequestBody = {}, options?: RequestOptions): Promise<ReplyBody> {
    return this.request(Op.Read, group, command, body, options);
  }

  write(group: number, command: number, body: RequestBody = {}, options?: RequestOptions): Promise<ReplyBody> {
    return this.request(Op.Write, group, command, body, options);
  }

  /** Sends one request and resolves with the reply body; SMP errors become SmpError / SmpGroupError. */
  async request(op: Op, group: number, command: number, body: RequestBody, options: RequestOptions = {}): Promise<ReplyBody> {
    const cbor = encodeCbor(body);
    await this.acquire(options.signal);
    try {
      let versionRetry = false;
      for (;;) {
        try {
          return await this.exchange(op, group, command, cbor, options);
        } catch (err) {
          // A server without v1 support says so with rc 12; one that finds v2 too new with rc 13 (§3.4).
          if (!versionRetry && err instanceof SmpError && (err.rc === MGMT_RC.UNSUPPORTED_TOO_OLD || err.rc === MGMT_RC.UNSUPPORTED_TOO_NEW)) {
            const version: SmpVersion = err.rc === MGMT_RC.UNSUPPORTED_TOO_OLD ? 1 : 0;
            this.logger.info(`device asked for SMP v${version + 1}`, { device: this.transport.id });
            this.versionCache.set(this.transport.id, version);
            versionRetry = true;
            continue;
          }
          throw err;
        }
      }
    } finally {
      this.release();
    }
  }

  private async exchange(op: Op, group: number, command: number, cbor: Uint8Array, options: RequestOptions): Promise<ReplyBody> {
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const asked = options.retries ?? this.defaultRetries;
    const retries = options.idempotent ?? op === Op.Read ? Math.max(asked, this.defaultRetries) : asked;
    const signal = options.signal;
    if (signal?.aborted) throw new FieldlineError('CANCELLED', 'cancelled');
    this.stats.requests++;

    return new Promise<ReplyBody>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let attempt = 0;
      const entry: Pending = {
        group,
        command,
        op,
        sequences: [],
        resolve: ({ header, body }) => {
          finish();
          const known = this.versionCache.get(this.transport.id);
          if (known === undefined || (known === 1 && header.version === 0)) {
            // A v2 request answered in v1 means a v1-only server (§3.4).
            this.versionCache.set(this.transport.id, header.version >= 1 ? 1 : 0);
          }
          try {
            checkReply(group, command, body);
            resolve(body);
          } catch (err) {
            reject(err as Error);
          }
        },
        reject: (error) => {
          finish();
          reject(error);
        },
      };
      const onAbort = (): void => entry.reject(new FieldlineError('CANCELLED', 'cancelled'));
      const finish = (): void => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const until = Date.now() + this.staleWindowMs;
        for (const seq of entry.sequences) {
          if (this.pending.get(seq) === entry) this.pending.delete(seq);
          this.reserved.set(seq, until);
        }
      };
      signal?.addEventListener('abort', onAbort, { once: true });

      const send = (): void => {
        if (this.closedError) return entry.reject(this.closedError);
        let sequence: number;
        try {
          sequence = this.allocateSequence();
        } catch (err) {
          return entry.reject(err as Error);
        }
        entry.sequences.push(sequence);
        this.pending.set(sequence, entry);
        const version = this.versionForAttempt(attempt);
        const packet = encodePacket({ op, version, flags: 0, group, sequence, command }, cbor);
        const frames = this.framer.encode(packet);
        const wire = frames.length === 1 ? (frames[0] as Uint8Array) : Buffer.concat(frames);
        this.stats.bytesSent += wire.length;
        this.logger.debug('tx', { group: groupName(group), command, sequence, bytes: packet.length, version });
        timer = setTimeout(onTimeout, timeoutMs);
        this.transport.write(wire).catch((err: Error) => entry.reject(err));
      };

      const onTimeout = (): void => {
        this.stats.timeouts++;
        if (attempt >= retries) {
          entry.reject(
            new FieldlineError(
              'DEVICE_TIMEOUT',
              `${this.transport.id}: no reply to ${groupName(group)} command ${command} after ${attempt + 1} attempt(s) of ${timeoutMs} ms`,
              { group, command, attempts: attempt + 1, timeoutMs },
            ),
          );
          return;
        }
        attempt++;
        this.stats.retries++;
        this.logger.debug('retry', { group: groupName(group), command, attempt });
        send();
      };

      send();
    });
  }

  /**
   * The first request to a device goes out as v2, twice (one lost frame must not make a v2 device look v1);
   * if it stays silent, later attempts alternate with v1, because a bootloader that predates v2 may drop a
   * header it cannot parse.
   */
  private versionForAttempt(attempt: number): SmpVersion {
    const known = this.versionCache.get(this.transport.id);
    if (known !== undefined) return known;
    return attempt < 2 || attempt % 2 === 1 ? 1 : 0;
  }

  private allocateSequence(): number {
    const now = Date.now();
    for (let i = 0; i < 256; i++) {
      const seq = (this.nextSequence + i) & 0xff;
      if (this.pending.has(seq)) continue;
      const until = this.reserved.get(seq);
      if (until !== undefined && until > now) continue;
      this.reserved.delete(seq);
      this.nextSequence = (seq + 1) & 0xff;
      return seq;
    }
    // Every number is taken or reserved for a late reply: reuse the oldest reservation rather than fail.
    let oldest = -1;
    let oldestUntil = Infinity;
    for (const [seq, until] of this.reserved) {
      if (!this.pending.has(seq) && until < oldestUntil) {
        oldest = seq;
        oldestUntil = until;
      }
    }
    if (oldest < 0) throw new FieldlineError('INTERNAL', 'all 256 SMP sequence numbers are in flight');
    this.reserved.delete(oldest);
    this.nextSequence = (oldest + 1) & 0xff;
    return oldest;
  }

  private onPacket(bytes: Uint8Array): void {
    let header: SmpHeader;
    let body: ReplyBody;
    try {
      const packet = decodePacket(bytes);
      header = packet.header;
      const decoded = bodyOf(packet.body);
      body = decoded;
    } catch (err) {
      this.stats.malformed++;
      this.logger.warn('dropped a malformed packet', { error: (err as Error).message });
      return;
    }
    const entry = this.pending.get(header.sequence);
    const expectedOp = entry ? (entry.op === Op.Read ? Op.ReadRsp : Op.WriteRsp) : -1;
    if (!entry || entry.group !== header.group || entry.command !== header.command || header.op !== expectedOp) {
      this.stats.staleReplies++;
      this.logger.debug('dropped a stale or unmatched reply', { sequence: header.sequence, group: header.group, command: header.command });
      return;
    }
    this.logger.debug('rx', { group: groupName(header.group), command: header.command, sequence: header.sequence, bytes: bytes.length });
    entry.resolve({ header, body });
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    if (this.closedError) return Promise.reject(this.closedError);
    if (this.inFlight < this.maxInFlight) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        if (this.closedError) return reject(this.closedError);
        this.inFlight++;
        resolve();
      };
      const onAbort = (): void => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(new FieldlineError('CANCELLED', 'cancelled'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  private release(): void {
    this.inFlight--;
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.waiting.length > 0) this.waiting.shift()?.();
  }

  private failAll(error: Error): void {
    this.closedError ??= error;
    for (const entry of new Set(this.pending.values())) entry.reject(error);
    this.pending.clear();
    for (const grant of this.waiting.splice(0)) grant();
  }

  /** Detaches from the transport (which the caller owns) and fails whatever is still waiting. */
  dispose(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    this.failAll(new FieldlineError('CANCELLED', 'SMP client closed'));
  }
}

function bodyOf(cbor: Uint8Array): ReplyBody {
  if (cbor.length === 0) return {};
  const { value } = decodeCbor(cbor);
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) {
    throw new FieldlineError('SMP_MALFORMED', 'SMP reply body is not a CBOR map');
  }
  return value as ReplyBody;
}
