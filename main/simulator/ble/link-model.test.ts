import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventBudget, LinkDirection, llPackets, negotiateMtu, requestPackets, uploadCapacity, windowedUploadRate, type LinkClock } from './link-model';

describe('link arithmetic', () => {
  it('costs an ATT value ceil((v + 3 + 4) / 251) link-layer packets', () => {
    expect(llPackets(0)).toBe(1);
    expect(llPackets(20)).toBe(1); // MTU 23
    expect(llPackets(244)).toBe(1); // MTU 247: 244 + 7 = 251, one full DLE packet
    expect(llPackets(245)).toBe(2);
    expect(llPackets(495)).toBe(2); // MTU 498: 495 + 7 = 502 = two full packets
    expect(llPackets(496)).toBe(3);
    expect(llPackets(514)).toBe(3); // MTU 517
  });

  it('negotiates min(wanted, device max) within 23..517', () => {
    expect(negotiateMtu(517, 498)).toBe(498);
    expect(negotiateMtu(247, 498)).toBe(247);
    expect(negotiateMtu(10, 498)).toBe(23);
    expect(negotiateMtu(1000, 1000)).toBe(517);
  });

  it('costs an SMP packet as MTU − 3 writes, each with its own headers', () => {
    expect(requestPackets(244, 247)).toBe(1);
    expect(requestPackets(2475, 247)).toBe(11); // 10 × 244 + 35: eleven writes, one packet each
    expect(requestPackets(2475, 498)).toBe(10); // 5 × 495: two packets each
    expect(requestPackets(100, 23)).toBe(5); // 20-byte writes
  });

  it('gives the request direction capacity: data per packet × packets per event ÷ interval', () => {
    // One 244-byte packet carrying 200 data bytes per LL packet, 4 per 15 ms: 200 × 4 / 0.015 = 53 333 B/s.
    const c = uploadCapacity({ mtu: 247, connIntervalMs: 15, packetsPerEvent: 4, requests: [{ packetBytes: 244, dataBytes: 200 }] });
    expect(c).toBeCloseTo(53_333.33, 1);
    // Two requests with different costs: total data ÷ total time.
    const two = uploadCapacity({
      mtu: 498,
      connIntervalMs: 10,
      packetsPerEvent: 2,
      requests: [
        { packetBytes: 495, dataBytes: 450 }, // 2 packets
        { packetBytes: 100, dataBytes: 60 }, // 1 packet
      ],
    });
    expect(two).toBeCloseTo(510 / ((3 / 2) * 0.01), 6);
    expect(uploadCapacity({ mtu: 247, connIntervalMs: 15, packetsPerEvent: 4, requests: [] })).toBe(0);
  });
});

describe('windowedUploadRate', () => {
  const link = { connIntervalMs: 15, packetsPerEvent: 4 };

  it('is limited by the window when requests are small: 3 one-packet requests per two events', () => {
    const requests = Array.from({ length: 1000 }, () => ({ packetBytes: 244, dataBytes: 200 }));
    const rate = windowedUploadRate({ ...link, mtu: 247, requests, window: 3, replyBytes: 20 });
    // Request in event k, reply in event k + 1, the next request in event k + 2.
    expect(rate).toBeCloseTo((3 * 200) / 0.03, -2);
    expect(rate / uploadCapacity({ ...link, mtu: 247, requests })).toBeCloseTo(0.375, 2);
  });

  it('reaches the link capacity when the window holds more than a round trip of packets', () => {
    const requests = Array.from({ length: 200 }, () => ({ packetBytes: 2475, dataBytes: 2400 }));
    const capacity = uploadCapacity({ ...link, mtu: 498, requests });
    const rate = windowedUploadRate({ ...link, mtu: 498, requests, window: 3, replyBytes: 20 });
    expect(rate / capacity).toBeGreaterThan(0.98);
    expect(rate / capacity).toBeLessThanOrEqual(1);
  });
});

describe('EventBudget', () => {
  it('packs PDUs into the event in progress, delivering at the end of the event carrying the last packet', () => {
    const b = new EventBudget(1000, 10, 4);
    expect(b.reserve(1, 1000)).toEqual({ startAt: 1000, deliverAt: 1010 });
    expect(b.reserve(2, 1003)).toEqual({ startAt: 1000, deliverAt: 1010 }); // 3 of 4 used
    expect(b.reserve(2, 1004)).toEqual({ startAt: 1000, deliverAt: 1020 }); // one in event 0, one in event 1
    expect(b.reserve(3, 1004)).toEqual({ startAt: 1010, deliverAt: 1020 }); // event 1 full now
    expect(b.reserve(9, 1005)).toEqual({ startAt: 1020, deliverAt: 1050 }); // events 2, 3, 4 (4 + 4 + 1)
  });

  it('does not let an idle link bank budget: a PDU after a pause uses the event in progress', () => {
    const b = new EventBudget(0, 15, 4);
    b.reserve(1, 0);
    expect(b.reserve(1, 100)).toEqual({ startAt: 90, deliverAt: 105 }); // event 6 = [90, 105)
    expect(b.reserve(4, 101)).toEqual({ startAt: 90, deliverAt: 120 });
  });

  it('carries at most N packets per interval however the PDUs are sized (absolute times, no drift)', () => {
    const b = new EventBudget(0, 7.5, 3);
    let last = 0;
    let packets = 0;
    for (let i = 0; i < 1000; i++) {
      const n = 1 + (i % 3);
      packets += n;
      last = b.reserve(n, 0).deliverAt;
    }
    // 2000 packets at 3 per event: the last one ends event ceil(2000 / 3) − 1.
    expect(packets).toBe(1999);
    expect(last).toBeCloseTo(Math.ceil(1999 / 3) * 7.5, 9);
  });
});

describe('LinkDirection', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs deliveries at their absolute times, in order, and forgets them when cleared', async () => {
    vi.useFakeTimers();
    let now = 0;
    const clock: LinkClock = { now: () => now };
    const dir = new LinkDirection(0, { connIntervalMs: 10, packetsPerEvent: 2 }, clock);
    const log: string[] = [];
    const advance = async (ms: number): Promise<void> => {
      now += ms;
      await vi.advanceTimersByTimeAsync(ms);
    };
    dir.send(1, () => log.push(`a@${now}`), () => log.push(`a-start@${now}`));
    dir.send(2, () => log.push(`b@${now}`), () => log.push(`b-start@${now}`));
    dir.send(2, () => log.push(`c@${now}`));
    await advance(0);
    expect(log).toEqual(['a-start@0', 'b-start@0']);
    await advance(10);
    expect(log).toEqual(['a-start@0', 'b-start@0', 'a@10']);
    await advance(10);
    expect(log).toEqual(['a-start@0', 'b-start@0', 'a@10', 'b@20']);
    dir.clear();
    await advance(50);
    expect(log).toHaveLength(4); // c was in the air when the link dropped
    expect(dir.pending).toBe(0);
  });
});
