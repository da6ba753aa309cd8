/**
 * A Transport moves bytes to and from one gateway and knows nothing of SMP (arrows point smp → transport's
 * interface, never back: eslint.layers.js puts this file in layer 0). Serial and BLE implement it; tests can too.
 */
export interface Transport {
  /** Stable name of the device end, e.g. the port path: used to cache per-device facts such as the SMP version. */
  readonly id: string;
  readonly kind: 'serial' | 'ble';
  /** BLE: the negotiated ATT MTU. Serial: undefined (frames are fixed at 127 bytes). */
  readonly mtu?: number;
  readonly isOpen: boolean;
  open(): Promise<void>;
  close(): Promise<void>;
  /** Resolves once the bytes are handed to the OS; rejects with a FieldlineError when the device is gone. */
  write(data: Uint8Array): Promise<void>;
  /** Subscribes to received bytes; returns the unsubscribe function. */
  onData(listener: (data: Uint8Array) => void): () => void;
  /** Called once when the link closes; `error` is set when it closed because something went wrong. */
  onClose(listener: (error?: Error) => void): () => void;
}

/** A tiny listener set shared by transports. */
export class Listeners<T extends unknown[]> {
  private readonly set = new Set<(...args: T) => void>();
  add(fn: (...args: T) => void): () => void {
    this.set.add(fn);
    return () => this.set.delete(fn);
  }
  emit(...args: T): void {
    for (const fn of [...this.set]) fn(...args);
  }
  clear(): void {
    this.set.clear();
  }
}
