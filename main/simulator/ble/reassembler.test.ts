import { describe, expect, it } from 'vitest';
import { encodePacket, Op } from '../../smp/header';
import { Reassembler } from './reassembler';

function packet(bodyLength: number): Uint8Array {
  const body = Uint8Array.from({ length: bodyLength }, (_, i) => i & 0xff);
  return encodePacket({ op: Op.Write, version: 1, flags: 0, group: 0, sequence: 7, command: 0 }, body);
}

function collect(maxPacket: number) {
  const packets: Uint8Array[] = [];
  const drops: string[] = [];
  const r = new Reassembler(maxPacket, { onPacket: (p) => packets.push(p), onDrop: (why) => drops.push(why) });
  return { r, packets, drops };
}

describe('Reassembler (CONFIG_MCUMGR_TRANSPORT_BT_REASSEMBLY)', () => {
  it('joins writes by the first header length, packet after packet', () => {
    const { r, packets, drops } = collect(2475);
    const a = packet(600);
    const b = packet(10);
    for (let at = 0; at < a.length; at += 244) r.push(a.subarray(at, at + 244));
    r.push(b);
    expect(drops).toEqual([]);
    expect(packets.map((p) => Array.from(p))).toEqual([Array.from(a), Array.from(b)]);
    expect(r.busy).toBe(false);
  });

  it('drops a packet larger than the SMP buffer, a first write without a header, and a write past the end', () => {
    const { r, packets, drops } = collect(100);
    r.push(packet(200).subarray(0, 20));
    r.push(Uint8Array.of(1, 2, 3));
    const p = packet(30);
    r.push(p.subarray(0, 20));
    r.push(Uint8Array.from([...p.subarray(20), 0xee])); // one byte too many
    expect(packets).toEqual([]);
    expect(drops).toHaveLength(3);
    expect(drops[0]).toMatch(/does not fit the 100-byte SMP buffer/);
    expect(drops[1]).toMatch(/cannot hold an SMP header/);
    expect(drops[2]).toMatch(/past the packet's end/);
    // After a drop the next write starts a new packet.
    r.push(packet(5));
    expect(packets).toHaveLength(1);
  });
});
