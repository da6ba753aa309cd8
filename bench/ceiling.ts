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
export const REPLY_PACKET = HEADER_SIZE + encodeCbor({ off: 0x10000 }).length;

/** The chunks the uploader sends for `total` bytes in packets of at most `maxPacket`. */
export function chunkPlan(target: UploadTarget, total: number, maxPacket: number): Array<{ packetBytes: number; dataBytes: number }> {
  const plan: Array<{ packetBytes: number; dataBytes: number }> = [];
  let off = 0;
  do {
    const size = Math.min(maxChunkData(target, off, maxPacket), total - off);
    plan.push({ packetBytes: HEADER_SIZE + encodeCbor(chunkBody(target, off, new Uint8Array(size))).length, dataBytes: size });
    off += size;
  } while (off < total);
  return plan;
}

export function uploadCeiling(target: UploadTarget, total: number, bufSize: number, baud: number): Ceiling {
  const bytesPerSecond = baud / 10;
  const plan = chunkPlan(target, total, bufSize - 4);
  const requestWire = plan.reduce((sum, chunk) => sum + serialWireLength(chunk.packetBytes), 0);
  const requests = plan.length;
  const replyWire = requests * serialWireLength(REPLY_PACKET);
  return {
    pipelined: total / (requestWire / bytesPerSecond),
    stopAndWait: total / ((requestWire + replyWire) / bytesPerSecond),
    requests,
  };
}
