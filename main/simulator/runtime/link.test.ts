import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeCbor } from '../../smp/cbor';
import { Op, encodePacket } from '../../smp/header';
import { SerialPacketDecoder, encodeSerialFrames } from '../../smp/serial-framing';
import type { DevicePort } from './device-port';
import { DeviceLink, type LinkCounter } from './link';

class FakePort implements DevicePort {
  written: Uint8Array[] = [];
  private listener: ((b: Uint8Array) => void) | undefined;
  write(bytes: Uint8Array): void {
    this.written.push(bytes);
  }
  flush = (): Promise<void> => Promise.resolve();
  onData(listener: (b: Uint8Array) => void): void {
    this.listener = listener;
  }
  async close(): Promise<void> {}
  /** Bytes from the app. */
  feed(bytes: Uint8Array): void {
    this.listener?.(bytes);
  }
}

function echoPacket(text: string, seq = 0): Uint8Array {
  return encodePacket({ op: Op.Write, version: 1, flags: 0, group: 0, sequence: seq, command: 0 }, encodeCbor({ d: text }));
}

/** All frames of a packet as one buffer, the way an app writes them. */
function wire(packet: Uint8Array, frameSize?: number): Uint8Array {
  return Buffer.concat(encodeSerialFrames(packet, frameSize));
}

function setup(opts: { baud?: number; bufSize?: number; bufCount?: number; handle?: (p: Uint8Array) => Promise<void> } = {}) {
  const port = new FakePort();
  const packets: Uint8Array[] = [];
  const counts: Partial<Record<LinkCounter, number>> = {};
  const link = new DeviceLink({
    port,
    baud: opts.baud ?? 0,
    bufSize: opts.bufSize ?? 384,
    bufCount: opts.bufCount ?? 4,
    onPacket: async (p) => {
      packets.push(p);
      await opts.handle?.(p);
    },
    count: (c, n = 1) => {
      counts[c] = (counts[c] ?? 0) + n;
    },
  });
  return { port, link, packets, counts };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('DeviceLink', () => {
  it('throttles both directions to baud/10 bytes per second: an echo at 9600 baud takes both ways\' line time', async () => {
    // On fake timers (the throttles read performance.now): what is measured is the link's own schedule, not how late
    // a busy machine runs timers. simulator.test.ts checks the same through a real pty, as a lower bound.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'Date', 'performance'] });
    const request = wire(echoPacket('x'.repeat(200), 1));
    const reply = wire(echoPacket('y'.repeat(200), 1));
    const started = performance.now();
    let handedOver = 0;
    let repliedAt = 0;
    const { port, link } = setup({
      baud: 9600,
      bufSize: 2048,
      handle: async () => {
        handedOver = performance.now() - started;
        await link.send(echoPacket('y'.repeat(200), 1));
        repliedAt = performance.now() - started;
      },
    });
    port.feed(request);
    await vi.runAllTimersAsync();
    await link.idle();
    expect(Buffer.concat(port.written)).toEqual(Buffer.from(reply));
    // 960 bytes/s each way: the packet reaches the device when its last byte has arrived, the reply leaves whole
    // when its last byte would have been sent.
    expect(handedOver).toBeCloseTo((request.length * 1000) / 960, -1);
    expect(repliedAt - handedOver).toBeCloseTo((reply.length * 1000) / 960, -1);
  });

  it('reassembles multi-frame packets and hands them over', async () => {
    const { port, link, packets, counts } = setup();
    const packet = echoPacket('x'.repeat(200)); // three frames
    port.feed(wire(packet));
    await link.idle();
    expect(packets).toEqual([packet]);
    expect(counts.rx_frames).toBe(3);
    expect(counts.dropped_frames ?? 0).toBe(0);
  });

  it('accepts a 127-byte line but drops a 128-byte one, as the UART line buffer does', async () => {
    const { port, link, packets, counts } = setup();
    // 127-byte frames are the default; a frame size of 131 makes the first line 131 bytes long.
    port.feed(wire(echoPacket('y'.repeat(120), 1)));
    port.feed(wire(echoPacket('z'.repeat(120), 2), 131));
    await link.idle();
    expect(packets).toHaveLength(1);
    expect(packets[0]![6]).toBe(1);
    expect(counts.dropped_frames).toBeGreaterThanOrEqual(1);
  });

  it('drops a packet larger than buf_size − 4 and still takes the next one', async () => {
    const { port, link, packets, counts } = setup({ bufSize: 128 });
    const fits = echoPacket('a'.repeat(124 - 8 - 5)); // 124 bytes = 128 − 4
    expect(fits.length).toBe(124);
    const tooBig = echoPacket('a'.repeat(124 - 8 - 4)); // 125 bytes
    port.feed(wire(tooBig));
    port.feed(wire(fits));
    await link.idle();
    expect(packets).toEqual([fits]);
    expect(counts.dropped_frames).toBeGreaterThanOrEqual(1);
  });

  it('holds at most buf_count packets (in process + waiting) and drops the excess', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { port, link, packets, counts } = setup({ bufCount: 2, handle: () => gate });
    for (let seq = 0; seq < 5; seq++) port.feed(wire(echoPacket('p', seq)));
    release();
    await link.idle();
    expect(packets.map((p) => p[6])).toEqual([0, 1]);
    expect(counts.dropped_frames).toBe(3);
  });

  it('processes packets one at a time, in arrival order', async () => {
    let active = 0;
    let maxActive = 0;
    const order: number[] = [];
    const { port, link } = setup({
      bufCount: 8,
      handle: async (p) => {
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise((r) => setTimeout(r, 5));
        order.push(p[6] as number);
        active--;
      },
    });
    for (let seq = 0; seq < 6; seq++) port.feed(wire(echoPacket('q', seq)));
    await link.idle();
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(maxActive).toBe(1);
  });

  it('skips console noise, counts a CRC failure, and sends replies as serial frames', async () => {
    const { port, link, packets, counts } = setup();
    const frames = wire(echoPacket('crc'));
    frames[10] = frames[10] === 0x41 ? 0x42 : 0x41; // change one base64 character
    port.feed(new TextEncoder().encode('uart:~$ some log line\r\n'));
    port.feed(frames);
    await link.idle();
    expect(packets).toHaveLength(0);
    expect(counts.crc_errors).toBe(1);

    const reply = echoPacket('reply', 9);
    await link.send(reply);
    const got: Uint8Array[] = [];
    const decoder = new SerialPacketDecoder({ onPacket: (p) => got.push(p) });
    decoder.push(Buffer.concat(port.written));
    expect(got).toEqual([reply]);
    expect(counts.tx_frames).toBe(1);
  });

  it('while not listening (rebooting) input is lost, half-received packets too', async () => {
    const { port, link, packets } = setup();
    const w = wire(echoPacket('x'.repeat(200)));
    port.feed(w.subarray(0, 130)); // first frame and a bit
    link.setListening(false);
    port.feed(w.subarray(130));
    link.setListening(true);
    port.feed(wire(echoPacket('after', 3)));
    await link.idle();
    expect(packets.map((p) => p[6])).toEqual([3]);
  });
});
