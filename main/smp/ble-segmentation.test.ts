import { describe, expect, it } from 'vitest';
import { FieldlineError } from '../errors';
import { encodeCbor } from './cbor';
import { encodePacket, Op } from './header';
import { BleLinkFramer, BlePacketDecoder, createBleFramer, segmentPacket } from './ble-segmentation';

const packet = (n: number, seq = 1): Uint8Array =>
  encodePacket({ op: Op.WriteRsp, version: 1, flags: 0, group: 1, sequence: seq, command: 1 }, encodeCbor({ data: new Uint8Array(n).fill(seq) }));

describe('BLE segmentation', () => {
  it('splits a packet into MTU − 3 pieces and reassembles them', () => {
    const p = packet(600);
    const parts = segmentPacket(p, 185);
    expect(parts.every((s) => s.length <= 182)).toBe(true);
    expect(parts.length).toBe(Math.ceil(p.length / 182));
    const got: Uint8Array[] = [];
    const d = new BlePacketDecoder({ onPacket: (x) => got.push(x) });
    for (const s of parts) d.push(s);
    expect(got).toEqual([p]);
  });

  it('starts the next packet with the surplus of a notification', () => {
    const a = packet(30, 1);
    const b = packet(50, 2);
    const joined = new Uint8Array([...a, ...b]);
    const got: Uint8Array[] = [];
    const d = new BlePacketDecoder({ onPacket: (x) => got.push(x) });
    d.push(joined.subarray(0, 20));
    d.push(joined.subarray(20, 70));
    d.push(joined.subarray(70));
    expect(got).toEqual([a, b]);
  });

  it('refuses a packet larger than MTU − 3 when the device cannot reassemble', () => {
    const framer = createBleFramer({ mtu: 23, deviceReassembly: false });
    expect(() => framer.encode(packet(100))).toThrow(/MTU/);
    expect(createBleFramer({ mtu: 23, deviceReassembly: true }).encode(packet(100)).length).toBeGreaterThan(1);
  });

  it('rejects an impossible MTU', () => {
    expect(() => segmentPacket(packet(1), 10)).toThrow(RangeError);
  });
});

const request = (bodyBytes: number): Uint8Array => encodePacket({ op: Op.Write, version: 1, flags: 0, group: 1, sequence: 7, command: 1 }, new Uint8Array(bodyBytes));

describe('BleLinkFramer', () => {
  it('starts strict: a request larger than MTU − 3 is refused until the device is known to reassemble', () => {
    const framer = new BleLinkFramer(64);
    expect(framer.encode(request(53))).toHaveLength(1); // 61 bytes: one write
    expect(() => framer.encode(request(54))).toThrow(FieldlineError);
    framer.deviceReassembly = true;
    const pieces = framer.encode(request(200));
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
    const both = new Uint8Array([...request(30), ...request(5)]);
    for (let at = 0; at < both.length; at += 20) decoder.push(both.subarray(at, at + 20));
    expect(got).toEqual([38, 13]);
  });
});
