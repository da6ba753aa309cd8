/**
 * SMP over BLE GATT (SMP.md §5): raw SMP bytes, no CRC or base64. A packet longer than ATT_MTU − 3 travels
 * as several writes or notifications; the receiver reassembles by the header's length, and any surplus starts
 * the next packet.
 */
import { FieldlineError } from '../errors';
import type { DecoderCallbacks, Framer, PacketDecoder } from './framer';
import { HEADER_SIZE, decodeHeader } from './header';

export const ATT_OVERHEAD = 3;
export const MIN_ATT_MTU = 23;
export const MAX_ATT_MTU = 517;

export function segmentPacket(packet: Uint8Array, mtu: number): Uint8Array[] {
  const size = mtu - ATT_OVERHEAD;
  if (!Number.isInteger(mtu) || mtu < MIN_ATT_MTU || mtu > MAX_ATT_MTU) {
    throw new RangeError(`ATT MTU ${mtu} is outside ${MIN_ATT_MTU}..${MAX_ATT_MTU}`);
  }
  const out: Uint8Array[] = [];
  for (let at = 0; at < packet.length; at += size) out.push(packet.subarray(at, at + size));
  return out;
}

export class BlePacketDecoder implements PacketDecoder {
  private buffer = new Uint8Array(0);

  constructor(private readonly callbacks: DecoderCallbacks) {}

  reset(): void {
    this.buffer = new Uint8Array(0);
  }

  push(bytes: Uint8Array): void {
    const joined = new Uint8Array(this.buffer.length + bytes.length);
    joined.set(this.buffer, 0);
    joined.set(bytes, this.buffer.length);
    this.buffer = joined;
    while (this.buffer.length >= HEADER_SIZE) {
      const header = decodeHeader(this.buffer);
      if (header.op > 3) {
        // Without a valid header there is no way to find the next packet boundary: start over.
        this.reset();
        this.callbacks.onError?.(new FieldlineError('SMP_MALFORMED', `BLE segment starts with unknown op ${header.op}`));
        return;
      }
      const total = HEADER_SIZE + header.length;
      if (this.buffer.length < total) return;
      const packet = this.buffer.slice(0, total);
      this.buffer = this.buffer.slice(total);
      this.callbacks.onPacket(packet);
    }
  }
}

/**
 * The framer of one BLE link. Whether a request may be larger than MTU − 3 depends on the device reassembling
 * fragmented writes (CONFIG_MCUMGR_TRANSPORT_BT_REASSEMBLY), which is only known from its answer to MCUmgr params —
 * itself a request that needs a framer. So the framer starts strict (every request one ATT write) and the session
 * lifts the limit once the device has answered (SMP.md §5).
 */
export class BleLinkFramer implements Framer {
  readonly name = 'ble';
  /** BLE adds nothing inside the device's SMP buffer. */
  readonly bufferOverhead = 0;
  /** Whether the device puts fragmented writes back together; false until MCUmgr params says so. */
  deviceReassembly = false;

  constructor(readonly mtu: number) {}

  /** The largest request that fits one ATT write. */
  get singleWriteMax(): number {
    return this.mtu - ATT_OVERHEAD;
  }

  encode(packet: Uint8Array): Uint8Array[] {
    if (!this.deviceReassembly && packet.length > this.singleWriteMax) {
      throw new FieldlineError(
        'INVALID_ARGUMENT',
        `an SMP request of ${packet.length} bytes does not fit one BLE write (MTU ${this.mtu} − 3) and the device does not reassemble fragments`,
      );
    }
    return segmentPacket(packet, this.mtu);
  }

  createDecoder(callbacks: DecoderCallbacks): PacketDecoder {
    return new BlePacketDecoder(callbacks);
  }

  wireLength(packetLength: number): number {
    return packetLength + ATT_OVERHEAD * Math.max(1, Math.ceil(packetLength / this.singleWriteMax));
  }
}

/** A BleLinkFramer whose device's reassembly is already known. */
export function createBleFramer(options: { mtu: number; deviceReassembly: boolean }): BleLinkFramer {
  const framer = new BleLinkFramer(options.mtu);
  framer.deviceReassembly = options.deviceReassembly;
  return framer;
}
