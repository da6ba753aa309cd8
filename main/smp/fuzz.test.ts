/**
 * Fuzzing the receive path with random and mutated input: the reassembler and the decoders must never throw
 * anything but their own errors, never hang, and never hold more memory than their bounds allow.
 */
import { describe, expect, it } from 'vitest';
import { CborError, decodeCbor, encodeCbor } from './cbor';
import { FieldlineError } from '../errors';
import { decodePacket, encodePacket, Op } from './header';
import { BlePacketDecoder } from './ble-segmentation';
import { encodeSerialFrames, SerialPacketDecoder } from './serial-framing';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

function randomBytes(rnd: () => number, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));
}

/** Bytes that mean something to the serial reassembler: frame markers and the line end. */
const MARKER_BYTES = [0x06, 0x09, 0x04, 0x14, 0x0a];

function mutate(rnd: () => number, input: Uint8Array): Uint8Array {
  const out = Array.from(input);
  const edits = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(rnd() * (out.length + 1));
    const kind = Math.floor(rnd() * 4);
    if (kind === 0 && out.length) out[at % out.length] = Math.floor(rnd() * 256);
    else if (kind === 1) out.splice(at, 0, Math.floor(rnd() * 256));
    else if (kind === 2) out.splice(at, 1);
    else out.splice(at, 0, MARKER_BYTES[Math.floor(rnd() * MARKER_BYTES.length)] as number);
  }
  return Uint8Array.from(out);
}

const samplePackets = [
  encodePacket({ op: Op.WriteRsp, version: 1, flags: 0, group: 1, sequence: 3, command: 1 }, encodeCbor({ off: 1234, match: true })),
  encodePacket({ op: Op.ReadRsp, version: 1, flags: 0, group: 8, sequence: 9, command: 0 }, encodeCbor({ off: 0, len: 500, data: new Uint8Array(300).fill(7) })),
  encodePacket({ op: Op.ReadRsp, version: 0, flags: 0, group: 1, sequence: 1, command: 0 }, encodeCbor({ images: [{ slot: 0, version: '1.0.0', hash: new Uint8Array(32) }] })),
];

function expectOwnError(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    expect(err instanceof CborError || err instanceof FieldlineError).toBe(true);
  }
}

describe('fuzz: receive path', () => {
  it('serial reassembler survives random bytes and mutated frames, keeps working afterwards', () => {
    const rnd = rng(1);
    let packets = 0;
    let errors = 0;
    const decoder = new SerialPacketDecoder({ onPacket: () => packets++, onError: () => errors++ });
    const started = performance.now();
    for (let i = 0; i < 3000; i++) {
      const base = samplePackets[i % samplePackets.length] as Uint8Array;
      const frames = Buffer.concat(encodeSerialFrames(base));
      decoder.push(i % 3 === 0 ? randomBytes(rnd, Math.floor(rnd() * 400)) : mutate(rnd, frames));
    }
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(errors).toBeGreaterThan(0);
    // After all that garbage, a clean packet still comes through.
    const before = packets;
    decoder.push(Uint8Array.of(0x0a));
    for (const f of encodeSerialFrames(samplePackets[0] as Uint8Array)) decoder.push(f);
    expect(packets).toBe(before + 1);
  });

  it('serial reassembler bounds memory on an endless line and on a huge length claim', () => {
    const decoder = new SerialPacketDecoder({ onPacket: () => {}, onError: () => {} }, { maxPacket: 2048 });
    const chunk = new Uint8Array(64 * 1024).fill(0x41);
    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 0; i < 200; i++) decoder.push(chunk); // 12.5 MiB without a newline
    const grown = process.memoryUsage().heapUsed - heapBefore;
    expect(grown).toBeLessThan(8 * 1024 * 1024);
    let errors = 0;
    const d2 = new SerialPacketDecoder({ onPacket: () => {}, onError: () => errors++ }, { maxPacket: 2048 });
    d2.push(Buffer.concat([Buffer.from([0x06, 0x09]), Buffer.from(Buffer.from([0xff, 0xff, 1, 2]).toString('base64')), Buffer.from([0x0a])]));
    expect(errors).toBe(1);
  });

  it('CBOR decoder and packet parser throw only their own errors on random and mutated input', () => {
    const rnd = rng(2);
    const bodies = samplePackets.map((p) => p.subarray(8));
    for (let i = 0; i < 20000; i++) {
      const input = i % 2 === 0 ? randomBytes(rnd, Math.floor(rnd() * 64)) : mutate(rnd, bodies[i % bodies.length] as Uint8Array);
      expectOwnError(() => decodeCbor(input));
      expectOwnError(() => decodePacket(input));
    }
  });

  it('BLE reassembler survives random segments', () => {
    const rnd = rng(3);
    let packets = 0;
    const decoder = new BlePacketDecoder({ onPacket: () => packets++, onError: () => {} });
    for (let i = 0; i < 5000; i++) expectOwnError(() => decoder.push(randomBytes(rnd, Math.floor(rnd() * 40))));
    decoder.reset();
    decoder.push(samplePackets[0] as Uint8Array);
    expect(packets).toBeGreaterThan(0);
  });
});
