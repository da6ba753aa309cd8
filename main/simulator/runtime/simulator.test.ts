/**
 * The simulator in-process, reached the way the app reaches a USB gateway: the real `serialport` package on the
 * app end of a socat pty, SMP packets in serial frames.
 */
import { lstat } from 'node:fs/promises';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeCbor, encodeCbor, type CborValue } from '../../smp/cbor';
import { Op, decodePacket, encodePacket, type SmpHeader } from '../../smp/header';
import { SerialPacketDecoder, encodeSerialFrames } from '../../smp/serial-framing';
import { silentLogger } from '../../log';
import { NO_DELAYS } from '../device/config';
import { startSimulator, type RunningSimulator } from './simulator';

interface Reply {
  header: SmpHeader;
  body: { [key: string]: CborValue };
  indefinite: string[];
}

/** How long a wait for the device polls: only a guard against a hang (a tight one fails a loaded CI). */
const WAIT_MS = 15_000;

/** The app's end: writes request frames, collects decoded reply packets. */
class App {
  private readonly replies: Reply[] = [];
  private waiter: (() => void) | undefined;
  private constructor(readonly port: SerialPort) {
    const decoder = new SerialPacketDecoder({
      onPacket: (p) => {
        const { header, body } = decodePacket(p);
        const decoded = decodeCbor(body);
        this.replies.push({ header, body: decoded.value as Reply['body'], indefinite: decoded.indefinite });
        this.waiter?.();
      },
    });
    port.on('data', (b: Buffer) => decoder.push(b));
  }

  static async open(path: string): Promise<App> {
    const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    return new App(port);
  }

  send(packet: Uint8Array): void {
    for (const frame of encodeSerialFrames(packet)) this.port.write(Buffer.from(frame));
  }

  /**
   * Next reply, or undefined after `timeoutMs`. The default only guards against a hang (a tight one fails a loaded
   * CI); a test that expects silence passes its own short wait, which a busy machine can only lengthen.
   */
  async next(timeoutMs = 10_000, sequence?: number): Promise<Reply | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // With a sequence, replies to other requests (a late answer to an earlier probe) are passed over.
      while (sequence !== undefined && this.replies.length > 0 && this.replies[0]!.header.sequence !== sequence) this.replies.shift();
      if (this.replies.length > 0 || Date.now() >= deadline) return this.replies.shift();
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        setTimeout(resolve, Math.max(1, deadline - Date.now()));
      });
    }
  }

  /**
   * Sends `packet` every 250 ms until the device answers (what arrives while it boots is lost): its first answer.
   * A fixed sleep for the boot instead races the device's boot timer on a loaded machine.
   */
  async untilAnswered(packet: Uint8Array): Promise<Reply | undefined> {
    const deadline = Date.now() + WAIT_MS;
    while (Date.now() < deadline) {
      this.send(packet);
      const reply = await this.next(250);
      if (reply) return reply;
    }
    return undefined;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.port.isOpen ? this.port.close(() => resolve()) : resolve()));
  }
}

function request(command: number, body: { [key: string]: CborValue }, seq: number, op = Op.Write, group = 0): Uint8Array {
  return encodePacket({ op, version: 1, flags: 0, group, sequence: seq, command }, encodeCbor(body));
}
const echo = (text: string, seq: number): Uint8Array => request(0, { d: text }, seq);
const exists = (p: string): Promise<boolean> => lstat(p).then(() => true, () => false);

/** Polls `condition` every 10 ms until it holds or `ms` have passed; returns whether it held. */
async function waitFor(condition: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return condition();
}

let sim: RunningSimulator | undefined;
const apps: App[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
  await sim?.stop();
  sim = undefined;
});

async function start(options: { baud?: number; faults?: string[]; reboot?: number } = {}): Promise<App> {
  sim = await startSimulator({
    count: 1,
    baud: options.baud ?? 0,
    faults: options.faults ?? [],
    seed: 1,
    delays: { ...NO_DELAYS, reboot: options.reboot ?? 0 },
    logger: silentLogger,
  });
  const app = await App.open(sim.gateways[0]!.port);
  apps.push(app);
  return app;
}

describe('startSimulator (in-process, real pty and serialport)', () => {
  it('answers an echo request with Zephyr-shaped reply frames', async () => {
    const app = await start();
    expect(sim!.gateways[0]!.serial).toBe('F1E1D00000000001');
    app.send(echo('Hello world!', 139));
    const reply = await app.next();
    expect(reply?.header).toMatchObject({ op: Op.WriteRsp, version: 1, group: 0, sequence: 139, command: 0 });
    expect(reply?.body).toEqual({ r: 'Hello world!' });
    expect(reply?.indefinite).toEqual(['map']);
  });

  it('throttles both directions to baud/10 bytes per second', async () => {
    const app = await start({ baud: 9600 });
    const packet = echo('x'.repeat(200), 1);
    const wireBytes = encodeSerialFrames(packet).reduce((n, f) => n + f.length, 0); // 301 bytes each way
    const started = performance.now();
    app.send(packet);
    const reply = await app.next(5000);
    const seconds = (performance.now() - started) / 1000;
    expect(reply?.body).toEqual({ r: 'x'.repeat(200) });
    // Timers never fire early, so the lower bound holds on any machine and proves both directions are throttled. That
    // neither is slower than 960 B/s is the link's own schedule, checked on fake timers in link.test.ts: an upper
    // bound on real time here failed CI runs on a loaded machine.
    const expected = (2 * wireBytes) / 960;
    expect(seconds).toBeGreaterThan(expected * 0.97);
  });

  it('a reset is answered first, then the device is silent while it boots, then answers again', async () => {
    // 1.5 s of boot: 'lost', sent as soon as the reset's answer is in, reaches the device well within it however busy
    // the machine is (with 0.4 s it could arrive after the boot and be answered).
    const app = await start({ reboot: 1500 });
    app.send(request(5, {}, 1));
    expect((await app.next())?.header.sequence).toBe(1);
    app.send(echo('lost', 2));
    expect(await app.next(200)).toBeUndefined();
    // Then it answers again; 'lost' never is (its answer would come first, sequence 2).
    const reply = await app.untilAnswered(echo('back', 3));
    expect(reply?.header.sequence).toBe(3);
    expect(reply?.body).toEqual({ r: 'back' });
  });

  it('disconnect:after=1,back=MS unplugs the port and brings it back at the same path', async () => {
    const app = await start({ faults: ['disconnect:after=1,back=400'] });
    const path = sim!.gateways[0]!.port;
    app.send(echo('one', 1));
    expect((await app.next())?.body).toEqual({ r: 'one' });
    // Gone like an unplugged USB device: the link disappears, then comes back (generous limits: CI can be slow).
    expect(await waitFor(async () => !(await exists(path)), WAIT_MS)).toBe(true);
    await app.close();
    expect(await waitFor(() => exists(path), WAIT_MS)).toBe(true);
    const again = await App.open(path);
    apps.push(again);
    again.send(echo('two', 2));
    expect((await again.next())?.body).toEqual({ r: 'two' });
  });

  it('drop-reply and duplicate-reply change what the app receives', async () => {
    const app = await start({ faults: ['duplicate-reply'] });
    app.send(echo('twice', 5));
    expect((await app.next())?.header.sequence).toBe(5);
    expect((await app.next())?.header.sequence).toBe(5);
    await app.close();
    await sim!.stop();
    const quiet = await start({ faults: ['drop-reply'] });
    quiet.send(echo('gone', 6));
    expect(await quiet.next(300)).toBeUndefined();
  });

  it('reboot-mid-upload loses the chunk at the offset, reboots once, and the upload can start over', async () => {
    const app = await start({ faults: ['reboot-mid-upload:at=100'], reboot: 300 });
    const chunk = (off: number, seq: number, first: boolean): Uint8Array =>
      request(0, { name: '/lfs/f.bin', off, data: new Uint8Array(64).fill(seq), ...(first ? { len: 256 } : {}) }, seq, Op.Write, 8);
    app.send(chunk(0, 1, true));
    expect((await app.next())?.body).toEqual({ off: 64 });
    app.send(chunk(64, 2, false)); // covers byte 100: lost, and the device reboots
    expect(await app.next(150)).toBeUndefined();
    // Starting over (a first chunk may be sent again) once the device answers again, not after a fixed sleep.
    expect((await app.untilAnswered(chunk(0, 3, true)))?.body).toEqual({ off: 64 });
    app.send(chunk(64, 4, false)); // once only
    expect((await app.next(undefined, 4))?.body).toEqual({ off: 128 });
  });

  it('counts the link traffic in the device\'s smp statistics group', async () => {
    const app = await start();
    app.send(echo('count me', 1));
    await app.next();
    app.send(request(0, { name: 'smp' }, 2, Op.Read, 2));
    const reply = await app.next();
    const fields = reply?.body.fields as Record<string, number>;
    expect(fields.rx_frames).toBe(2);
    expect(fields.tx_frames).toBe(1);
    expect(fields.rx_bytes).toBeGreaterThan(0);
    expect(fields.dropped_frames).toBe(0);
  });

  it('stop() removes the ports', async () => {
    await start();
    const path = sim!.gateways[0]!.port;
    await apps.splice(0)[0]!.close();
    await sim!.stop();
    expect(await exists(path)).toBe(false);
  });
});
