/**
 * GatewaySession: one open link to one gateway — transport, SMP client and the facts learned about the device
 * (its buffers). The CLI, the provisioning pipeline and the station all go through it.
 */
import { FieldlineError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { SmpClient } from '../smp/client';
import type { Framer } from '../smp/framer';
import { params } from '../smp/groups/os';
import { serialFramer } from '../smp/serial-framing';
import { SmpError } from '../smp/smp-error';
import type { DeviceBuffers } from '../smp/upload';
import { SerialTransport } from '../transport/serial';
import type { Transport } from '../transport/transport';

/** What a device without MCUmgr params (old MCUboot serial recovery) is assumed to take: stop-and-wait. */
export const FALLBACK_BUFFERS: DeviceBuffers = { bufSize: 384, bufCount: 2 };

export interface SessionOptions {
  logger?: Logger;
  timeoutMs?: number;
  retries?: number;
}

export class GatewaySession {
  private buffersCache: DeviceBuffers | undefined;

  constructor(
    readonly transport: Transport,
    readonly client: SmpClient,
  ) {}

  static async open(transport: Transport, framer: Framer, options: SessionOptions = {}): Promise<GatewaySession> {
    await transport.open();
    const client = new SmpClient(transport, {
      framer,
      logger: (options.logger ?? silentLogger).child('smp'),
      ...(options.timeoutMs !== undefined ? { defaultTimeoutMs: options.timeoutMs } : {}),
      ...(options.retries !== undefined ? { defaultRetries: options.retries } : {}),
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

  async close(): Promise<void> {
    this.client.dispose();
    await this.transport.close();
  }
}
