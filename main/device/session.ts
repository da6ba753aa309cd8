/**
 * GatewaySession: one open link to one gateway — transport, SMP client and the facts learned about the device
 * (its buffers). The CLI, the provisioning pipeline and the station all go through it.
 *
 * A BLE session can also reconnect: a radio link drops far more often than a cable is pulled, so an operation run
 * through surviveLinkLoss() reconnects (rescanning by address, bounded attempts with backoff) and runs again. The
 * session object stays the same — its transport and client are swapped — so whoever holds it keeps using it.
 */
import { FieldlineError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { BleLinkFramer } from '../smp/ble-segmentation';
import { SmpClient } from '../smp/client';
import type { Framer } from '../smp/framer';
import type { SmpVersion } from '../smp/header';
import { params } from '../smp/groups/os';
import { serialFramer } from '../smp/serial-framing';
import { SmpError } from '../smp/smp-error';
import type { DeviceBuffers } from '../smp/upload';
import { BleTransport, type BleTransportOptions } from '../transport/ble';
import type { BleAdapterChoice } from '../transport/ble/adapter-choice';
import type { BleRadios, LoadNobleOptions } from '../transport/ble/noble';
import { findGateway } from '../transport/ble/scan';
import { SerialTransport } from '../transport/serial';
import type { Transport } from '../transport/transport';
import { isLinkLoss } from './gone';

/** What a device without MCUmgr params (old MCUboot serial recovery) is assumed to take: stop-and-wait. */
export const FALLBACK_BUFFERS: DeviceBuffers = { bufSize: 384, bufCount: 2 };

/**
 * A BLE device that does not answer MCUmgr params has no reassembly: each request is one ATT write. Its buffer
 * count is unknown; Zephyr's default MCUMGR_TRANSPORT_NETBUF_COUNT is 4 (SMP.md §5), which allows 3 requests in
 * flight. Should a device have fewer, the uploader's timeouts and rewinds recover the dropped chunks.
 */
export const BLE_FALLBACK_BUFFER_COUNT = 4;

export interface SessionOptions {
  logger?: Logger;
  timeoutMs?: number;
  retries?: number;
  /**
   * The device's SMP version, learned by one session, for the next sessions to the same device (a run re-opens it
   * after each reboot). Owned by whoever opens the sessions; without one, each session learns it afresh.
   */
  versionCache?: Map<string, SmpVersion>;
}

export interface BleSessionOptions extends SessionOptions {
  /** A Bluetooth address or an advertised name. */
  selector: string;
  adapter: BleAdapterChoice;
  /** The noble instances of whoever opens the session (the core, the app, one CLI command): its scans share them. */
  radios: BleRadios;
  /** virtual: the simulator's socket. */
  socketPath?: string;
  /** How long to listen for the gateway's advertisement; default 10 s. */
  scanTimeoutMs?: number;
  transport?: Omit<BleTransportOptions, 'logger'>;
  reconnect?: Partial<ReconnectPolicy>;
  /** Test seams of the noble loader. */
  noble?: Pick<LoadNobleOptions, 'loadSystem' | 'createVirtualBinding' | 'readyTimeoutMs'>;
}

export interface ReconnectPolicy {
  /** Connection attempts after one drop. */
  attempts: number;
  /** Wait before the first attempt (the gateway needs a moment to advertise again); doubles each time. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** How long each attempt listens for the gateway's advertisement. */
  scanTimeoutMs: number;
  /** Drops one operation may survive before it fails for good. */
  maxDropsPerOperation: number;
}

export const DEFAULT_RECONNECT: ReconnectPolicy = { attempts: 6, firstDelayMs: 250, maxDelayMs: 4000, scanTimeoutMs: 5000, maxDropsPerOperation: 3 };

/** Errors a further reconnect attempt cannot fix. */
const HOPELESS = new Set(['BLE_NO_ADAPTER', 'BLE_ADAPTER_OFF', 'BLE_PERMISSION', 'BLE_PAIRING_REQUIRED', 'BLE_NOT_SMP', 'BLE_VIRTUAL_UNREACHABLE', 'CANCELLED']);

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new FieldlineError('CANCELLED', 'cancelled'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new FieldlineError('CANCELLED', 'cancelled'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export class GatewaySession {
  private buffersCache: DeviceBuffers | undefined;
  private currentTransport: Transport;
  private currentClient: SmpClient;
  private reopener: (() => Promise<GatewaySession>) | undefined;
  private policy: ReconnectPolicy = DEFAULT_RECONNECT;
  private logger: Logger = silentLogger;
  /** BLE: whether the device reassembles fragmented requests (from its answer to MCUmgr params). */
  deviceReassembly: boolean | undefined;
  /** Times this session reconnected after a dropped link. */
  reconnects = 0;

  constructor(transport: Transport, client: SmpClient) {
    this.currentTransport = transport;
    this.currentClient = client;
  }

  get transport(): Transport {
    return this.currentTransport;
  }

  get client(): SmpClient {
    return this.currentClient;
  }

  /** Where the device is: the serial port path, or the BLE address. */
  get location(): string {
    const t = this.currentTransport;
    if (t instanceof BleTransport) return t.address;
    if (t instanceof SerialTransport) return t.path;
    return t.id;
  }

  /** Whether a dropped link can be re-established (BLE). */
  get canReconnect(): boolean {
    return this.reopener !== undefined;
  }

  static async open(transport: Transport, framer: Framer, options: SessionOptions = {}): Promise<GatewaySession> {
    await transport.open();
    const client = new SmpClient(transport, {
      framer,
      logger: (options.logger ?? silentLogger).child('smp'),
      ...(options.timeoutMs !== undefined ? { defaultTimeoutMs: options.timeoutMs } : {}),
      ...(options.retries !== undefined ? { defaultRetries: options.retries } : {}),
      ...(options.versionCache ? { versionCache: options.versionCache } : {}),
    });
    return new GatewaySession(transport, client);
  }

  static openSerial(path: string, options: SessionOptions & { baudRate?: number } = {}): Promise<GatewaySession> {
    const transport = new SerialTransport(path, {
      ...(options.baudRate !== undefined ? { baudRate: options.baudRate } : {}),
      logger: (options.logger ?? silentLogger).child('serial'),
    });
    return GatewaySession.open(transport, serialFramer, options);
  }

  /**
   * Finds the gateway (address or name), connects, and learns whether it reassembles fragmented requests. The
   * session reconnects to the same address when the link drops under surviveLinkLoss().
   */
  static async openBle(given: BleSessionOptions): Promise<GatewaySession> {
    // A reconnect re-opens with these options: the device's SMP version, once learned, carries over to it.
    const options = given.versionCache ? given : { ...given, versionCache: new Map<string, SmpVersion>() };
    const logger = options.logger ?? silentLogger;
    const noble = await options.radios.load(options.adapter, {
      ...(options.socketPath ? { socketPath: options.socketPath } : {}),
      logger: logger.child('noble'),
      ...options.noble,
    });
    const peripheral = await findGateway(noble, options.selector, { timeoutMs: options.scanTimeoutMs ?? 10_000 });
    const transport = new BleTransport(peripheral, { ...options.transport, logger: logger.child('ble') });
    await transport.open();
    // The MTU is known once connected; a later connection negotiates again, and gets a new framer.
    const framer = new BleLinkFramer(transport.mtu);
    const session = await GatewaySession.open(transport, framer, options);
    try {
      await session.detectBleBuffers(framer);
    } catch (err) {
      await session.close().catch(() => {});
      throw err;
    }
    const policy = { ...DEFAULT_RECONNECT, ...options.reconnect };
    session.policy = policy;
    session.logger = logger;
    // Rescan by address, not by name: the gateway we were talking to, even if a neighbour has the same name.
    session.reopener = () => GatewaySession.openBle({ ...options, selector: transport.address, scanTimeoutMs: policy.scanTimeoutMs });
    return session;
  }

  /**
   * MCUmgr params right after connecting, as Nordic's clients do (SMP.md §5): answered → the device reassembles and
   * takes packets up to buf_size, sent as MTU − 3 fragments; refused → every request must be one write of at most
   * MTU − 3 bytes, and uploads are sized so.
   */
  private async detectBleBuffers(framer: BleLinkFramer): Promise<void> {
    try {
      const b = await params(this.client);
      if (b.bufSize < 64 || b.bufCount < 1) {
        throw new FieldlineError('SMP_MALFORMED', `device reports an unusable buffer: ${b.bufSize} bytes × ${b.bufCount}`);
      }
      framer.deviceReassembly = true;
      this.deviceReassembly = true;
      this.buffersCache = b;
    } catch (err) {
      if (!(err instanceof SmpError)) throw err;
      framer.deviceReassembly = false;
      this.deviceReassembly = false;
      this.buffersCache = { bufSize: framer.singleWriteMax, bufCount: BLE_FALLBACK_BUFFER_COUNT };
    }
  }

  /** The device's SMP buffer size and count (OS params), asked once per session. */
  async buffers(): Promise<DeviceBuffers> {
    if (this.buffersCache) return this.buffersCache;
    try {
      const b = await params(this.client);
      if (b.bufSize < 64 || b.bufCount < 1) {
        throw new FieldlineError('SMP_MALFORMED', `device reports an unusable buffer: ${b.bufSize} bytes × ${b.bufCount}`);
      }
      this.buffersCache = b;
    } catch (err) {
      if (!(err instanceof SmpError)) throw err;
      this.buffersCache = FALLBACK_BUFFERS; // MCUmgr params not supported (rc ENOTSUP)
    }
    return this.buffersCache;
  }

  /**
   * Re-establishes a dropped link: closes what is left of the old one, then tries to connect again — waiting
   * firstDelayMs, doubling up to maxDelayMs — until `attempts` are used up (BLE_LINK_LOST then).
   */
  async reconnect(signal?: AbortSignal): Promise<void> {
    const reopen = this.reopener;
    if (!reopen) throw new FieldlineError('DEVICE_DISCONNECTED', `${this.location}: this link cannot be re-established`);
    const where = this.location;
    await this.closeLink();
    let lastError: unknown;
    let delay = this.policy.firstDelayMs;
    for (let attempt = 1; attempt <= this.policy.attempts; attempt++) {
      await sleep(delay, signal);
      delay = Math.min(this.policy.maxDelayMs, delay * 2);
      try {
        const fresh = await reopen();
        this.adopt(fresh);
        this.reconnects++;
        this.logger.info('reconnected', { device: where, attempt });
        return;
      } catch (err) {
        lastError = err;
        this.logger.warn('reconnect attempt failed', { device: where, attempt, error: err instanceof Error ? err.message : String(err) });
        if (err instanceof FieldlineError && HOPELESS.has(err.code)) throw err;
      }
    }
    throw new FieldlineError(
      'BLE_LINK_LOST',
      `the link to ${where} dropped and ${this.policy.attempts} reconnect attempts failed (last: ${lastError instanceof Error ? lastError.message : String(lastError)})`,
      { address: where },
    );
  }

  /**
   * Runs `operation`; if the link drops meanwhile and the session can reconnect, reconnects and runs it again (at
   * most maxDropsPerOperation times). The operation must be safe to repeat — an image upload is: its first chunk
   * carries the image's SHA-256, so the device answers with the offset it already holds and the upload resumes
   * there. A session that cannot reconnect (serial) runs the operation once, unchanged.
   */
  async surviveLinkLoss<T>(what: string, operation: () => Promise<T>, options: { signal?: AbortSignal; onReconnect?: () => void } = {}): Promise<T> {
    let drops = 0;
    for (;;) {
      try {
        return await operation();
      } catch (err) {
        if (!this.canReconnect || !isLinkLoss(err) || ++drops > this.policy.maxDropsPerOperation) throw err;
        this.logger.warn(`${what}: the link dropped, reconnecting`, { device: this.location, drop: drops });
        await this.reconnect(options.signal);
        options.onReconnect?.();
      }
    }
  }

  private adopt(fresh: GatewaySession): void {
    this.currentTransport = fresh.currentTransport;
    this.currentClient = fresh.currentClient;
    this.buffersCache = fresh.buffersCache;
    this.deviceReassembly = fresh.deviceReassembly;
  }

  private async closeLink(): Promise<void> {
    this.currentClient.dispose();
    await this.currentTransport.close().catch(() => {});
  }

  async close(): Promise<void> {
    await this.closeLink();
  }
}
