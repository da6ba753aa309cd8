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

export interface BleFramerOptions {
  /** ATT MTU negotiated with the peer. */
  mtu: number;
  /** Whether the device reassembles a packet written in several segments (MCUMGR_TRANSPORT_BT_REASSEMBLY). */
  deviceReassembly: boolean;
}

export function createBleFramer(options: BleFramerOptions): Framer {
  return {
    name: 'ble',
    bufferOverhead: 0,
    encode(packet) {
      if (!options.deviceReassembly && packet.length > options.mtu - ATT_OVERHEAD) {
        throw new FieldlineError(
          'INVALID_ARGUMENT',
          `SMP packet of ${packet.length} bytes exceeds MTU ${options.mtu} − 3 and the device does not reassemble`,
        );
      }
      return segmentPacket(packet, options.mtu);
    },
    createDecoder: (callbacks: DecoderCallbacks) => new BlePacketDecoder(callbacks),
    wireLength: (packetLength) => packetLength + ATT_OVERHEAD * Math.ceil(packetLength / (options.mtu - ATT_OVERHEAD)),
  };
}
