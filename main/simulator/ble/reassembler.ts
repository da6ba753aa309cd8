/**
 * The device side of CONFIG_MCUMGR_TRANSPORT_BT_REASSEMBLY (Zephyr smp_reassembly.c; SMP.md §5): the first write
 * of a packet carries the SMP header, whose length says how many bytes make the packet; later writes are appended
 * until it is complete. Like Zephyr, a packet that would not fit the SMP buffer, a first write too short to hold a
 * header, or a write running past the expected end drops what was collected (a write without response has no way
 * to report an error), and the next write starts afresh.
 */
import { HEADER_SIZE, decodeHeader } from '../../smp/header';

export interface ReassemblerCallbacks {
  onPacket(packet: Uint8Array): void;
  onDrop(reason: string): void;
}

export class Reassembler {
  private parts: Uint8Array[] = [];
  private collected = 0;
  private expected = 0;

  constructor(
    /** The SMP buffer (buf_size): the largest packet the device can collect. */
    private readonly maxPacket: number,
    private readonly callbacks: ReassemblerCallbacks,
  ) {}

  /** True while a packet is partly collected. */
  get busy(): boolean {
    return this.expected > 0;
  }

  push(write: Uint8Array): void {
    if (this.expected === 0) {
      if (write.length < HEADER_SIZE) return this.drop(`a first write of ${write.length} bytes cannot hold an SMP header`);
      const expected = HEADER_SIZE + decodeHeader(write).length;
      if (expected > this.maxPacket) return this.drop(`a packet of ${expected} bytes does not fit the ${this.maxPacket}-byte SMP buffer`);
      this.expected = expected;
    }
    if (this.collected + write.length > this.expected) {
      return this.drop(`a write runs ${this.collected + write.length - this.expected} bytes past the packet's end`);
    }
    this.parts.push(Uint8Array.from(write));
    this.collected += write.length;
    if (this.collected < this.expected) return;
    const packet = new Uint8Array(this.expected);
    let at = 0;
    for (const part of this.parts) {
      packet.set(part, at);
      at += part.length;
    }
    this.reset();
    this.callbacks.onPacket(packet);
  }

  reset(): void {
    this.parts = [];
    this.collected = 0;
    this.expected = 0;
  }

  private drop(reason: string): void {
    this.reset();
    this.callbacks.onDrop(reason);
  }
}
