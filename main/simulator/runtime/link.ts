/**
 * The device end of the serial line, with Zephyr's receive limits (SMP.md §4.1, §9.5) so clients are tested
 * against them:
 * - a line longer than 127 bytes (markers and LF included) is dropped whole, silently, as the UART transport does;
 * - a packet whose length prefix exceeds the SMP buffer (buf_size − 4: prefix and CRC share it) is dropped;
 * - at most buf_count packets are held (the one being processed and those waiting); more are dropped;
 * - packets are processed strictly one at a time, in arrival order.
 * Both directions pass through a baud-rate throttle. Every drop is counted, so tests and the stats group can see it.
 */
import { encodeSerialFrames, MAX_FRAME, SerialPacketDecoder } from '../../smp/serial-framing';
import { silentLogger, type Logger } from '../../log';
import type { StatsCounters } from '../device/counters';
import type { DevicePort } from './device-port';
import { Throttle } from './throttle';

/** The device's "smp" stats group, which the link keeps (Zephyr counts these in its transport). */
export type LinkCounter = keyof StatsCounters['smp'];

export interface LinkOptions {
  port: DevicePort;
  /** 0 = unthrottled. */
  baud: number;
  bufSize: number;
  bufCount: number;
  /** Called once per packet, never concurrently. */
  onPacket: (packet: Uint8Array) => Promise<void>;
  count?: (counter: LinkCounter, n?: number) => void;
  logger?: Logger;
}

const LF = 0x0a;
/** The pause before an unplug for socat to forward the last reply. */
const UNPLUG_SETTLE_MS = 20;
/** How SerialPacketDecoder words a CRC failure (its other errors are framing or size problems). */
const CRC_FAILED = /CRC/;

export class DeviceLink {
  private port: DevicePort;
  private readonly rx: Throttle;
  private readonly tx: Throttle;
  private readonly decoder: SerialPacketDecoder;
  private readonly count: (counter: LinkCounter, n?: number) => void;
  private readonly logger: Logger;
  private line: number[] = [];
  private lineTooLong = false;
  private readonly queue: Uint8Array[] = [];
  private busy = false;
  private listening = true;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly options: LinkOptions) {
    this.port = options.port;
    this.count = options.count ?? (() => {});
    this.logger = options.logger ?? silentLogger;
    // Both directions run at the UART's rate; what differs is how much is handed over at once, each piece when the
    // stop bit of its last byte ends. Received bytes go to the device a frame at a time (its UART driver acts on each
    // line). Replies go to the app a whole reply at a time: an SMP client acts on nothing less than a whole packet, so
    // it sees the same timing, and an nRF52840-class gateway's USB CDC-ACM link delivers a reply in a burst of 64-byte
    // USB packets anyway. Every extra piece costs a write here, a read and wake-ups in socat and the app — per
    // 64-byte piece that was most of the CPU both sides spent on a run.
    this.rx = new Throttle({ baud: options.baud, sink: (bytes) => this.receive(bytes), flushAfter: LF, chunkBytes: MAX_FRAME });
    this.tx = new Throttle({ baud: options.baud, sink: (bytes) => this.port.write(bytes), chunkBytes: Number.MAX_SAFE_INTEGER });
    this.decoder = new SerialPacketDecoder(
      {
        onPacket: (packet) => this.enqueue(packet),
        onError: (err) => {
          this.count('dropped_frames');
          if (CRC_FAILED.test(err.message)) this.count('crc_errors');
          this.logger.debug('dropped a packet', { reason: err.message });
        },
      },
      { maxPacket: options.bufSize - 4 },
    );
    this.attach(this.port);
  }

  /** Sends one reply packet as serial frames; resolves once the frames have left (throttled) and reached the pty. */
  async send(packet: Uint8Array): Promise<void> {
    await this.sendFrames(encodeSerialFrames(packet));
  }

  /** Sends pre-built frames (fault injection corrupts them first). */
  async sendFrames(frames: Uint8Array[]): Promise<void> {
    const reply = frames.length === 1 ? (frames[0] as Uint8Array) : Buffer.concat(frames);
    for (const frame of frames) {
      this.count('tx_frames');
      this.count('tx_bytes', frame.length);
    }
    // One piece per reply (see the constructor): released when its last byte's stop bit ends.
    this.tx.push(reply);
    await this.flush();
  }

  /** Resolves once everything sent so far is out of the throttle and handed to the OS. */
  async flush(): Promise<void> {
    await this.tx.drained();
    await this.port.flush();
  }

  /**
   * Off = the device is not running (rebooting, unplugged): received bytes are lost, half-received lines and
   * packets and the packet queue are discarded. On = listening again with clean state.
   */
  setListening(on: boolean): void {
    this.listening = on;
    this.rx.clear();
    this.line = [];
    this.lineTooLong = false;
    this.decoder.reset();
    this.queue.length = 0;
  }

  /**
   * Closes the port (the line is unplugged); nothing is received or sent until replacePort(). Whatever was sent
   * before is let through first: handed to the pty peer, plus a moment for socat to pass it on to the app.
   */
  async closePort(): Promise<void> {
    await this.flush();
    await new Promise((r) => setTimeout(r, UNPLUG_SETTLE_MS));
    this.setListening(false);
    this.tx.clear();
    await this.port.close();
  }

  /** The pty was recreated (a "replug"): bytes go to and come from the new port from now on. */
  async replacePort(port: DevicePort): Promise<void> {
    const old = this.port;
    this.tx.clear();
    this.port = port;
    this.attach(port);
    await old.close();
  }

  /** Resolves when no packet is being processed or waiting. */
  idle(): Promise<void> {
    if (!this.busy && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.listening = false;
    this.rx.clear();
    this.tx.clear();
    this.queue.length = 0;
    await this.port.close();
  }

  private attach(port: DevicePort): void {
    port.onData((bytes) => {
      // Bytes from a port that has since been replaced belong to a dead line.
      if (port !== this.port || !this.listening) return;
      this.count('rx_bytes', bytes.length);
      this.rx.push(bytes);
    });
  }

  /** Throttled bytes arrive here: split into lines, drop over-long ones, hand the rest to the frame decoder. */
  private receive(bytes: Uint8Array): void {
    if (!this.listening) return;
    for (const b of bytes) {
      if (b !== LF) {
        if (this.lineTooLong) continue;
        // The LF still has to fit: a frame is at most MAX_FRAME bytes including it.
        if (this.line.length + 1 >= MAX_FRAME) {
          this.lineTooLong = true;
          this.line = [];
          continue;
        }
        this.line.push(b);
        continue;
      }
      if (this.lineTooLong) {
        this.lineTooLong = false;
        this.count('dropped_frames');
        this.logger.debug('dropped a line longer than the UART line buffer', { max: MAX_FRAME });
        continue;
      }
      const line = this.line;
      this.line = [];
      if (isFrame(line)) this.count('rx_frames');
      line.push(LF);
      this.decoder.push(Uint8Array.from(line));
    }
  }

  private enqueue(packet: Uint8Array): void {
    if (this.queue.length + (this.busy ? 1 : 0) >= this.options.bufCount) {
      // All SMP buffers are taken: Zephyr has nowhere to put the packet and drops it.
      this.count('dropped_frames');
      this.logger.debug('dropped a packet: all buffers in use', { bufCount: this.options.bufCount });
      return;
    }
    this.queue.push(packet);
    if (!this.busy) void this.drain();
  }

  private async drain(): Promise<void> {
    this.busy = true;
    try {
      for (let packet = this.queue.shift(); packet; packet = this.queue.shift()) {
        try {
          await this.options.onPacket(packet);
        } catch (err) {
          this.logger.error('processing a packet failed', { error: String(err) });
        }
      }
    } finally {
      this.busy = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}

function isFrame(line: number[]): boolean {
  return (line[0] === 0x06 && line[1] === 0x09) || (line[0] === 0x04 && line[1] === 0x14);
}
