import { describe, expect, it } from 'vitest';
import { encodeCbor } from './cbor';
import { encodePacket, Op } from './header';
import { BlePacketDecoder, createBleFramer, segmentPacket } from './ble-segmentation';

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
