/**
 * BLE transport on noble (SMP.md §5): one GATT characteristic carries SMP both ways — requests as Write Without
 * Response, replies as notifications. This moves bytes and knows nothing of SMP: a write is cut into ATT values of at
 * most MTU − 3 bytes (whether the device can put them back together is the framer's concern), and notifications are
 * passed on as they come (the SMP decoder reassembles them by the header's length).
 *
 * noble reports no errors for writes and few for anything else, so every step of setting up the link has its own
 * timeout, and a gateway that requires pairing — which noble's HCI binding answers by trying to encrypt, then waiting
 * forever — is recognised by its ATT error text or by a subscription that is never confirmed.
 */
import type { Characteristic, Peripheral } from '@abandonware/noble';
import { FieldlineError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { withDeadline } from '../shared/deadline';
import { bleLinkError } from './ble/link-errors';
import { REQUESTED_ATT_MTU } from './ble/noble';
import { normalizeUuid, SMP_CHARACTERISTIC_UUID, SMP_SERVICE_UUID } from './ble/uuids';
import { Listeners, type Transport } from './transport';

export const DEFAULT_ATT_MTU = 23;
const MAX_ATT_MTU = 517;
const ATT_HEADER = 3;

export interface BleTransportOptions {
  logger?: Logger;
  /** Connecting (the peripheral must be advertising); default 10 s. */
  connectTimeoutMs?: number;
  /** Service discovery and the notification subscription, each; default 10 s. */
  setupTimeoutMs?: number;
}

/** noble's connect takes connection parameters (the virtual binding reads the wanted MTU from them); its types do not say so. */
type ConnectWithParameters = (parameters: Record<string, unknown>, callback: (error?: unknown) => void) => void;

export class BleTransport implements Transport {
  readonly kind = 'ble' as const;
  readonly id: string;
  /** The gateway's Bluetooth address (noble's id where the platform hides addresses). */
  readonly address: string;
  private characteristic: Characteristic | undefined;
  private withoutResponse = true;
  private negotiatedMtu = DEFAULT_ATT_MTU;
  private connected = false;
  private closing = false;
  private readonly data = new Listeners<[Uint8Array]>();
  private readonly closed = new Listeners<[Error | undefined]>();
  private readonly detach: Array<() => void> = [];
  private readonly logger: Logger;

  constructor(
    readonly peripheral: Peripheral,
    private readonly options: BleTransportOptions = {},
  ) {
    this.address = (peripheral.address || peripheral.id).toLowerCase();
    this.id = `ble:${this.address}`;
    this.logger = options.logger ?? silentLogger;
  }

  /** The ATT MTU negotiated on this connection (23 until known). */
  get mtu(): number {
    return this.negotiatedMtu;
  }

  get isOpen(): boolean {
    return this.connected;
  }

  async open(): Promise<void> {
    if (this.connected) return;
    this.closing = false;
    const p = this.peripheral;
    const setupMs = this.options.setupTimeoutMs ?? 10_000;
    await this.connect(this.options.connectTimeoutMs ?? 10_000);
    // A disconnect while discovering or subscribing ends the setup at once instead of waiting for its timeout.
    let abortSetup: (error: Error) => void = () => {};
    const dropped = new Promise<never>((_, reject) => (abortSetup = reject));
    dropped.catch(() => {});
    try {
      const onDisconnect = (reason?: unknown): void => {
        if (this.connected) return this.lost(reason);
        abortSetup(new FieldlineError('BLE_LINK_LOST', `${this.address} disconnected while the link was being set up${reason ? ` (${String(reason)})` : ''}`, { address: this.address }));
      };
      p.on('disconnect', onDisconnect);
      this.detach.push(() => p.removeListener('disconnect', onDisconnect));

      const characteristic = await Promise.race([this.discover(setupMs), dropped]);
      const onNotification = (value: Buffer): void => this.data.emit(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      characteristic.on('data', onNotification);
      this.detach.push(() => characteristic.removeListener('data', onNotification));
      const subscribed = withDeadline(
        characteristic.subscribeAsync().catch((err: unknown) => {
          throw bleLinkError(this.address, 'the notification subscription', err);
        }),
        setupMs,
        () =>
          new FieldlineError(
            'BLE_PAIRING_REQUIRED',
            `${this.address} did not confirm the notification subscription within ${Math.round(setupMs / 1000)} s — ` +
              'a gateway that requires pairing stays silent like this',
            { address: this.address },
          ),
      );
      await Promise.race([subscribed, dropped]);
      this.characteristic = characteristic;
      this.negotiatedMtu = Math.min(MAX_ATT_MTU, Math.max(DEFAULT_ATT_MTU, Math.floor(p.mtu ?? DEFAULT_ATT_MTU)));
      this.connected = true;
      this.logger.debug('connected', { address: this.address, mtu: this.negotiatedMtu, writeWithoutResponse: this.withoutResponse });
    } catch (err) {
      this.release();
      await this.disconnectQuietly();
      throw err;
    }
  }

  private async connect(timeoutMs: number): Promise<void> {
    const p = this.peripheral;
    const connect = p.connect.bind(p) as unknown as ConnectWithParameters;
    await withDeadline(
      new Promise<void>((resolve, reject) => {
        connect({ mtu: REQUESTED_ATT_MTU }, (error) => (error ? reject(bleLinkError(this.address, 'the connection', error)) : resolve()));
      }),
      timeoutMs,
      () => {
        p.cancelConnect();
        return new FieldlineError('BLE_LINK_LOST', `could not connect to ${this.address} within ${Math.round(timeoutMs / 1000)} s`, { address: this.address });
      },
    );
  }

  private async discover(timeoutMs: number): Promise<Characteristic> {
    const found = await withDeadline(
      this.peripheral.discoverSomeServicesAndCharacteristicsAsync([SMP_SERVICE_UUID], [SMP_CHARACTERISTIC_UUID]).catch((err: unknown) => {
        // noble rejects with a plain string when a requested service is absent.
        if (/could not find/i.test(String(err))) {
          throw new FieldlineError('BLE_NOT_SMP', `${this.address} has no SMP service (${SMP_SERVICE_UUID})`, { address: this.address });
        }
        throw bleLinkError(this.address, 'service discovery', err);
      }),
      timeoutMs,
      () => new FieldlineError('BLE_LINK_LOST', `service discovery on ${this.address} did not finish within ${Math.round(timeoutMs / 1000)} s`),
    );
    const characteristic = (found.characteristics ?? []).find((c) => normalizeUuid(c.uuid) === SMP_CHARACTERISTIC_UUID);
    if (!characteristic) {
      throw new FieldlineError('BLE_NOT_SMP', `${this.address} has the SMP service but not its characteristic (${SMP_CHARACTERISTIC_UUID})`, { address: this.address });
    }
    const props = characteristic.properties ?? [];
    if (!props.includes('notify') || !(props.includes('writeWithoutResponse') || props.includes('write'))) {
      throw new FieldlineError('BLE_NOT_SMP', `${this.address}: the SMP characteristic cannot be written and notified (it has ${props.join(', ') || 'no properties'})`);
    }
    // Write Without Response is the SMP transport's way; Write is accepted by servers too (SMP.md §5).
    this.withoutResponse = props.includes('writeWithoutResponse');
    return characteristic;
  }

  private lost(reason?: unknown): void {
    if (this.closing) return;
    this.closing = true;
    const wasOpen = this.connected;
    this.connected = false;
    this.characteristic = undefined;
    this.release();
    const detail = reason === undefined || reason === null || reason === '' ? '' : ` (${String(reason)})`;
    this.logger.warn('link lost', { address: this.address, reason: detail || undefined, wasOpen });
    this.closed.emit(new FieldlineError('BLE_LINK_LOST', `the link to ${this.address} dropped${detail}`, { address: this.address }));
    this.closed.clear();
  }

  private release(): void {
    for (const undo of this.detach.splice(0)) undo();
  }

  private disconnectQuietly(timeoutMs = 2000): Promise<void> {
    const p = this.peripheral;
    if (p.state === 'disconnected') return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      try {
        p.disconnect(() => {
          clearTimeout(timer);
          resolve();
        });
      } catch {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.connected = false;
    this.characteristic = undefined;
    this.release();
    await this.disconnectQuietly();
    this.closed.emit(undefined);
    this.closed.clear();
  }

  /** Hands the bytes to noble as ATT values of at most MTU − 3 bytes, in order. */
  async write(data: Uint8Array): Promise<void> {
    const characteristic = this.characteristic;
    if (!this.connected || !characteristic) {
      throw new FieldlineError('BLE_LINK_LOST', `the link to ${this.address} is not open`, { address: this.address });
    }
    const size = this.negotiatedMtu - ATT_HEADER;
    try {
      for (let at = 0; at < data.length; at += size) {
        const piece = data.subarray(at, Math.min(data.length, at + size));
        // No callback: noble queues the writes in order, and a listener per write would pile up under pipelining.
        characteristic.write(Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength), this.withoutResponse);
      }
    } catch (err) {
      const error = bleLinkError(this.address, 'a write', err);
      this.lost(error.message);
      throw error;
    }
  }

  onData(listener: (data: Uint8Array) => void): () => void {
    return this.data.add(listener);
  }

  onClose(listener: (error?: Error) => void): () => void {
    return this.closed.add(listener);
  }
}
