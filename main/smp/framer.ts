/**
 * A Framer turns SMP packets into what a transport carries and back: serial frames (base64 lines with CRC) or
 * BLE segments. The SmpClient is handed the framer that suits its transport, so smp/ never imports transport/.
 */
export interface PacketDecoder {
  /** Feeds received bytes; complete packets and problems are reported through the callbacks. */
  push(bytes: Uint8Array): void;
  /** Drops any half-received packet (after a reconnect or a timeout). */
  reset(): void;
}

export interface DecoderCallbacks {
  onPacket(packet: Uint8Array): void;
  /** A frame or packet that could not be used; the stream goes on. */
  onError?(error: Error): void;
}

export interface Framer {
  readonly name: string;
  /**
   * Bytes the transport adds inside the device's SMP buffer (`buf_size`): the serial length prefix and CRC
   * share it, BLE adds nothing. The largest request packet is `buf_size - bufferOverhead`.
   */
  readonly bufferOverhead: number;
  /** Wire bytes for one packet, as the pieces the transport should write in order. */
  encode(packet: Uint8Array): Uint8Array[];
  createDecoder(callbacks: DecoderCallbacks): PacketDecoder;
  /** Bytes on the wire for a packet of `packetLength` bytes: used for throughput ceilings. */
  wireLength(packetLength: number): number;
}
