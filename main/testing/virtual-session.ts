/**
 * A GatewaySession on a virtual device in the same process, with no pty: the client's serial frames are decoded,
 * dispatched as the simulator's runtime does (Dispatcher: v2 errors, ENOTSUP for a missing group) and answered.
 * For unit tests of code that talks SMP to a whole device — rollback, drift — without socat or a child process.
 */
import { GatewaySession } from '../device/session';
import { SmpClient } from '../smp/client';
import { encodeSerialFrames, serialFramer, SerialPacketDecoder } from '../smp/serial-framing';
import { Dispatcher } from '../simulator/runtime/dispatch';
import type { DeviceConfig } from '../simulator/device/config';
import type { DeviceGroupHandler } from '../simulator/device/request';
import { testDevice, type TestDevice } from '../simulator/device/test-support';
import { Listeners, type Transport } from '../transport/transport';

class DispatchTransport implements Transport {
  readonly kind = 'serial' as const;
  readonly id = `virtual:${Math.random().toString(36).slice(2)}`;
  isOpen = false;
  private readonly data = new Listeners<[Uint8Array]>();
  private readonly closed = new Listeners<[Error | undefined]>();
  private readonly decoder = new SerialPacketDecoder({
    onPacket: (p) => void this.answer(p),
    onError: (e) => {
      throw e;
    },
  });

  constructor(private readonly dispatcher: Dispatcher) {}

  async open(): Promise<void> {
    this.isOpen = true;
  }

  async close(): Promise<void> {
    this.isOpen = false;
    this.closed.emit(undefined);
  }

  /** The link ends as a transport reports a lost device: with this error. */
  unplug(error: Error): void {
    this.isOpen = false;
    this.closed.emit(error);
  }

  async write(bytes: Uint8Array): Promise<void> {
    this.decoder.push(bytes);
  }

  onData(listener: (data: Uint8Array) => void): () => void {
    return this.data.add(listener);
  }

  onClose(listener: (error?: Error) => void): () => void {
    return this.closed.add(listener);
  }

  private async answer(packet: Uint8Array): Promise<void> {
    const outcome = await this.dispatcher.dispatch(packet);
    for (const reply of outcome.replies) for (const f of encodeSerialFrames(reply)) this.data.emit(f);
  }
}

export interface VirtualSession {
  session: GatewaySession;
  device: TestDevice;
  /** Ends the link with `error`, as a transport does when its device goes away. */
  unplug(error: Error): void;
}

/**
 * A session on a fresh virtual device (delays zero). `without` drops whole groups, as a build without them
 * (e.g. the shell group, 9) answers ENOTSUP.
 */
export async function virtualSession(config: Partial<DeviceConfig> = {}, without: number[] = []): Promise<VirtualSession> {
  const device = await testDevice(config);
  const handlers: DeviceGroupHandler[] = device.device.handlers.filter((h) => !without.includes(h.group));
  const transport = new DispatchTransport(new Dispatcher({ handlers, maxReply: device.device.config.bufSize }));
  await transport.open();
  const client = new SmpClient(transport, { framer: serialFramer, versionCache: new Map(), defaultTimeoutMs: 2000 });
  return { session: new GatewaySession(transport, client), device, unplug: (error) => transport.unplug(error) };
}
