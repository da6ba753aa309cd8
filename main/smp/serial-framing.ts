/**
 * SMP over a serial console (SMP.md §4): LEN(2) ‖ packet ‖ CRC-16(2), base64, cut into lines of at most 127
 * bytes that start with 06 09 (first) or 04 14 (continuation) and end with LF. The decoder skips console text
 * between frames and bounds every buffer, so a noisy or hostile line cannot grow memory or stall it.
 */
import { FieldlineError } from '../errors';
import { crc16Xmodem } from './crc16';
import type { DecoderCallbacks, Framer, PacketDecoder } from './framer';
import { HEADER_SIZE, MAX_BODY } from './header';

export const FRAME_START = [0x06, 0x09] as const;
export const FRAME_CONTINUE = [0x04, 0x14] as const;
export const MAX_FRAME = 127;
/** Base64 characters per frame: 127 − 2 marker bytes − LF, rounded down to a multiple of 4. */
const CHARS_PER_FRAME = Math.floor((MAX_FRAME - 3) / 4) * 4;
const LF = 0x0a;
const CR = 0x0d;
/** Longest line kept while looking for its end; longer lines are console noise or garbage and are skipped. */
const MAX_LINE = 8192;
const BASE64_LINE = /^[A-Za-z0-9+/]*={0,2}$/;

export function encodeSerialFrames(packet: Uint8Array, frameSize = MAX_FRAME): Uint8Array[] {
  const charsPerFrame = Math.floor((frameSize - 3) / 4) * 4;
  if (charsPerFrame < 4) throw new RangeError(`frame size ${frameSize} cannot carry base64`);
  const raw = new Uint8Array(packet.length + 4);
  const view = new DataView(raw.buffer);
  view.setUint16(0, packet.length + 2);
  raw.set(packet, 2);
  view.setUint16(packet.length + 2, crc16Xmodem(packet));
  const text = Buffer.from(raw).toString('base64');
  const frames: Uint8Array[] = [];
  for (let at = 0; at < text.length; at += charsPerFrame) {
    const piece = text.slice(at, at + charsPerFrame);
    const frame = new Uint8Array(piece.length + 3);
    frame.set(at === 0 ? FRAME_START : FRAME_CONTINUE, 0);
    frame.set(Buffer.from(piece, 'latin1'), 2);
    frame[frame.length - 1] = LF;
    frames.push(frame);
  }
  return frames;
}

/** Wire bytes for one packet: base64 of LEN+packet+CRC plus 3 bytes per frame. */
export function serialWireLength(packetLength: number, frameSize = MAX_FRAME): number {
  const chars = Math.ceil((packetLength + 4) / 3) * 4;
  const charsPerFrame = Math.floor((frameSize - 3) / 4) * 4;
  return chars + 3 * Math.ceil(chars / charsPerFrame);
}

export interface SerialDecoderOptions {
  /** Largest packet accepted (header + body); a length prefix claiming more is rejected before buffering. */
  maxPacket?: number;
}

export class SerialPacketDecoder implements PacketDecoder {
  private line: number[] = [];
  private skippingLongLine = false;
  private packet: Buffer[] = [];
  private packetBytes = 0;
  private expected = -1;
  private readonly maxPacket: number;

  constructor(
    private readonly callbacks: DecoderCallbacks,
    options: SerialDecoderOptions = {},
  ) {
    this.maxPacket = options.maxPacket ?? HEADER_SIZE + MAX_BODY;
  }

  reset(): void {
    this.line = [];
    this.skippingLongLine = false;
    this.dropPacket();
  }

  push(bytes: Uint8Array): void {
    let start = 0;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] !== LF) continue;
      this.appendLine(bytes, start, i);
      this.endLine();
      start = i + 1;
    }
    this.appendLine(bytes, start, bytes.length);
  }

  private appendLine(bytes: Uint8Array, from: number, to: number): void {
    if (this.skippingLongLine || from >= to) return;
    if (this.line.length + (to - from) > MAX_LINE) {
      this.skippingLongLine = true;
      this.line = [];
      return;
    }
    for (let i = from; i < to; i++) this.line.push(bytes[i] as number);
  }

  private endLine(): void {
    const line = this.line;
    this.line = [];
    if (this.skippingLongLine) {
      this.skippingLongLine = false;
      return;
    }
    if (line.length > 0 && line[line.length - 1] === CR) line.pop();
    if (line.length < 2) return;
    const isStart = line[0] === FRAME_START[0] && line[1] === FRAME_START[1];
    const isContinue = line[0] === FRAME_CONTINUE[0] && line[1] === FRAME_CONTINUE[1];
    if (!isStart && !isContinue) return; // console output interleaved with SMP frames
    if (isContinue && this.expected < 0) return; // continuation of a packet we never saw start
    const text = Buffer.from(line.slice(2)).toString('latin1');
    if (text.length % 4 !== 0 || !BASE64_LINE.test(text)) {
      this.fail('serial frame is not valid base64');
      return;
    }
    const data = Buffer.from(text, 'base64');
    if (isStart) {
      this.dropPacket();
      if (data.length < 2) {
        this.fail('first serial frame is too short for its length prefix');
        return;
      }
      const expected = data.readUInt16BE(0);
      if (expected < HEADER_SIZE + 2 || expected > this.maxPacket + 2) {
        this.fail(`serial length prefix ${expected} is outside ${HEADER_SIZE + 2}..${this.maxPacket + 2}`);
        return;
      }
      this.expected = expected;
      this.add(data.subarray(2));
    } else {
      this.add(data);
    }
  }

  private add(data: Buffer): void {
    this.packet.push(data);
    this.packetBytes += data.length;
    if (this.packetBytes < this.expected) return;
    const expected = this.expected;
    const whole = Buffer.concat(this.packet, this.packetBytes);
    this.dropPacket();
    if (whole.length > expected) {
      this.fail(`serial packet carries ${whole.length} bytes, its length prefix says ${expected}`);
      return;
    }
    if (crc16Xmodem(whole) !== 0) {
      this.fail('serial packet failed its CRC-16 check');
      return;
    }
    this.callbacks.onPacket(new Uint8Array(whole.buffer, whole.byteOffset, whole.length - 2));
  }

  private dropPacket(): void {
    this.packet = [];
    this.packetBytes = 0;
    this.expected = -1;
  }

  private fail(message: string): void {
    this.callbacks.onError?.(new FieldlineError('SMP_MALFORMED', message));
  }
}

export const serialFramer: Framer = {
  name: 'serial',
  bufferOverhead: 4,
  encode: (packet) => encodeSerialFrames(packet),
  createDecoder: (callbacks) => new SerialPacketDecoder(callbacks),
  wireLength: (packetLength) => serialWireLength(packetLength),
};

export { CHARS_PER_FRAME };
