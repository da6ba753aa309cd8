import { describe, expect, it } from 'vitest';
import { FieldlineError } from '../errors';
import { encodePacket, Op } from '../smp/header';
import { BleLinkFramer } from './ble-framer';

const packet = (bodyBytes: number): Uint8Array => encodePacket({ op: Op.Write, version: 1, flags: 0, group: 1, sequence: 7, command: 1 }, new Uint8Array(bodyBytes));

describe('BleLinkFramer', () => {
  it('starts strict: a request larger than MTU − 3 is refused until the device is known to reassemble', () => {
    const framer = new BleLinkFramer(64);
    expect(framer.encode(packet(53))).toHaveLength(1); // 61 bytes: one write
    expect(() => framer.encode(packet(54))).toThrow(FieldlineError);
    framer.deviceReassembly = true;
    const pieces = framer.encode(packet(200));
    expect(pieces.map((p) => p.length)).toEqual([61, 61, 61, 25]);
  });

  it('counts the ATT header of every write in the wire length', () => {
    const framer = new BleLinkFramer(64);
    expect(framer.wireLength(61)).toBe(64);
    expect(framer.wireLength(208)).toBe(208 + 4 * 3);
    expect(framer.bufferOverhead).toBe(0);
  });

  it('reassembles replies by the header length, a surplus starting the next packet', () => {
    const framer = new BleLinkFramer(23);
    const got: number[] = [];
    const decoder = framer.createDecoder({ onPacket: (p) => got.push(p.length) });
    const both = new Uint8Array([...packet(30), ...packet(5)]);
    for (let at = 0; at < both.length; at += 20) decoder.push(both.subarray(at, at + 20));
    expect(got).toEqual([38, 13]);
  });
});
