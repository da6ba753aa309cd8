/**
 * The theoretical ceiling of an upload over a throttled serial link: the request direction carries every chunk
 * as base64 frames, so payload/s = payload bytes ÷ wire bytes × baud/10 (8N1), computed over the exact chunk
 * plan the uploader uses (SMP.md §8.2 shows the arithmetic). Stop-and-wait also waits for each reply.
 */
import { encodeCbor } from '../main/smp/cbor';
import { HEADER_SIZE } from '../main/smp/header';
import { serialWireLength } from '../main/smp/serial-framing';
import { chunkBody, maxChunkData, type UploadTarget } from '../main/smp/upload';

export interface Ceiling {
  /** Payload bytes per second when requests are back to back. */
  pipelined: number;
  /** Payload bytes per second when each request waits for its reply. */
  stopAndWait: number;
  requests: number;
}

/** Reply to a chunk: {off: N} (plus match on the last), about 20 bytes of packet. */
const REPLY_PACKET = HEADER_SIZE + encodeCbor({ off: 0x10000 }).length;

export function uploadCeiling(target: UploadTarget, total: number, bufSize: number, baud: number): Ceiling {
  const bytesPerSecond = baud / 10;
  const maxPacket = bufSize - 4;
  let off = 0;
  let requestWire = 0;
  let requests = 0;
  do {
    const size = Math.min(maxChunkData(target, off, maxPacket), total - off);
    const packet = HEADER_SIZE + encodeCbor(chunkBody(target, off, new Uint8Array(size))).length;
    requestWire += serialWireLength(packet);
    requests++;
    off += size;
  } while (off < total);
  const replyWire = requests * serialWireLength(REPLY_PACKET);
  return {
    pipelined: total / (requestWire / bytesPerSecond),
    stopAndWait: total / ((requestWire + replyWire) / bytesPerSecond),
    requests,
  };
}
