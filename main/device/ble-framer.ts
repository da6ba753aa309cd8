/**
 * The framer of one BLE link. Whether a request may be larger than MTU − 3 depends on the device reassembling
 * fragmented writes (CONFIG_MCUMGR_TRANSPORT_BT_REASSEMBLY), which is only known from its answer to MCUmgr params —
 * itself a request that needs a framer. So the framer starts strict (every request one ATT write) and the session
 * lifts the limit once the device has answered (SMP.md §5).
 */
import { FieldlineError } from '../errors';
import { ATT_OVERHEAD, BlePacketDecoder, segmentPacket } from '../smp/ble-segmentation';
import type { DecoderCallbacks, Framer, PacketDecoder } from '../smp/framer';

export class BleLinkFramer implements Framer {
  readonly name = 'ble';
  /** BLE adds nothing inside the device's SMP buffer. */
  readonly bufferOverhead = 0;
  private reassembly = false;

  constructor(readonly mtu: number) {}

  /** Whether the device puts fragmented writes back together; false until MCUmgr params says so. */
  get deviceReassembly(): boolean {
    return this.reassembly;
  }

  set deviceReassembly(value: boolean) {
    this.reassembly = value;
  }

  /** The largest request that fits one ATT write. */
  get singleWriteMax(): number {
    return this.mtu - ATT_OVERHEAD;
  }

  encode(packet: Uint8Array): Uint8Array[] {
    if (!this.reassembly && packet.length > this.singleWriteMax) {
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
