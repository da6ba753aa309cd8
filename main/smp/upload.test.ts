import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryTransport, type Body, type ScriptedRequest } from '../testing/memory-transport';
import { SmpClient } from './client';
import { uploadImage } from './groups/image';
import { uploadFile } from './groups/fs';
import { HEADER_SIZE } from './header';
import { encodeCbor } from './cbor';
import { serialFramer } from './serial-framing';

/** A scripted image-upload device with Zephyr's offset rules; hooks let a test drop or reboot. */
class FakeUploadDevice {
  data: number[] = [];
  expected = 0;
  len = 0;
  sha: string | undefined;
  inFlight = 0;
  peak = 0;
  packetSizes: number[] = [];
  drop: (req: ScriptedRequest) => boolean = () => false;

  handle = (req: ScriptedRequest, reply: (b: Body, h?: object, d?: number) => void): void => {
    this.packetSizes.push(HEADER_SIZE + encodeCbor(req.body).length);
    if (this.drop(req)) return;
    const b = req.body;
    const off = b.off as number;
    const data = b.data as Uint8Array;
    this.inFlight++;
    this.peak = Math.max(this.peak, this.inFlight);
    const answer = (body: Body): void => {
      setTimeout(() => {
        this.inFlight--;
        reply(body);
      }, 1);
    };
    if (off === 0) {
      const sha = Buffer.from(b.sha as Uint8Array).toString('hex');
      if (this.sha === sha && this.expected > 0) return answer({ off: this.expected });
      this.sha = sha;
      this.len = b.len as number;
      this.data = [];
      this.expected = 0;
    } else if (this.len === 0) {
      return answer({ off: 0 });
    }
    if (off !== this.expected) return answer({ off: this.expected });
    this.data.push(...data);
    this.expected += data.length;
    answer({ off: this.expected, ...(this.expected === this.len ? { match: true } : {}) });
  };

  reboot(): void {
    this.len = 0;
    this.expected = 0;
    this.sha = undefined;
    this.data = [];
  }
}

function image(n: number): Uint8Array {
  const out = Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);
  out.set([0x3d, 0xb8, 0xf3, 0x96], 0);
  return out;
}

function setup(device: FakeUploadDevice) {
  const transport = new MemoryTransport(device.handle);
  const client = new SmpClient(transport, { framer: serialFramer, versionCache: new Map(), forceVersion: 1, defaultTimeoutMs: 200 });
  return client;
}

describe('pipelined upload', () => {
  it('sizes every chunk to exactly buf_size − 4 and keeps buf_count − 1 in flight', async () => {
    const device = new FakeUploadDevice();
    const client = setup(device);
    const img = image(20_000);
    const r = await uploadImage(client, img, { bufSize: 384, bufCount: 4 });
    expect(Buffer.from(device.data)).toEqual(Buffer.from(img));
    expect(r.match).toBe(true);
    expect(r.sha256).toBe(createHash('sha256').update(img).digest('hex'));
    const full = device.packetSizes.slice(0, -1);
    expect(full.every((n) => n === 380)).toBe(true);
    expect(device.peak).toBe(3);
    expect(r.resentBytes).toBe(0);
  });

  it('runs stop-and-wait with window 1', async () => {
    const device = new FakeUploadDevice();
    await uploadImage(setup(device), image(5000), { bufSize: 384, bufCount: 4, window: 1 });
    expect(device.peak).toBe(1);
  });

  it('resends from the offset the device asks for when a chunk is lost', async () => {
    const device = new FakeUploadDevice();
    let dropped = false;
    device.drop = (req) => {
      if (!dropped && (req.body.off as number) > 3000) return (dropped = true);
      return false;
    };
    const img = image(12_000);
    const r = await uploadImage(setup(device), img, { bufSize: 384, bufCount: 4 });
    expect(Buffer.from(device.data)).toEqual(Buffer.from(img));
    expect(r.resentBytes).toBeGreaterThan(0);
  });

  it('recovers when every request of a window is lost (timeouts), then finishes', async () => {
    const device = new FakeUploadDevice();
    let drops = 0;
    device.drop = (req) => (req.body.off as number) > 5000 && drops++ < 3;
    const img = image(9000);
    await uploadImage(setup(device), img, { bufSize: 384, bufCount: 4, chunkTimeoutMs: 50 });
    expect(Buffer.from(device.data)).toEqual(Buffer.from(img));
  });

  it('restarts with the first-chunk fields when the device answers off 0 mid-transfer (reboot)', async () => {
    const device = new FakeUploadDevice();
    let rebooted = false;
    const original = device.handle;
    device.handle = (req, reply) => {
      if (!rebooted && (req.body.off as number) > 4000) {
        rebooted = true;
        device.reboot();
      }
      original(req, reply);
    };
    const transport = new MemoryTransport(device.handle);
    const client = new SmpClient(transport, { framer: serialFramer, versionCache: new Map(), forceVersion: 1, defaultTimeoutMs: 200 });
    const img = image(10_000);
    await uploadImage(client, img, { bufSize: 384, bufCount: 4 });
    expect(Buffer.from(device.data)).toEqual(Buffer.from(img));
    const firsts = transport.requests.filter((r) => r.body.off === 0);
    expect(firsts.length).toBe(2);
    expect(firsts.every((r) => r.body.len === img.length && r.body.sha instanceof Uint8Array)).toBe(true);
  });

  it('resumes an interrupted upload of the same image from the device offset', async () => {
    const device = new FakeUploadDevice();
    const img = image(15_000);
    const ac = new AbortController();
    await expect(
      uploadImage(setup(device), img, { bufSize: 384, bufCount: 4 }, {
        signal: ac.signal,
        onProgress: (p) => p.acked > 6000 && ac.abort(),
      }),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
    const stoppedAt = device.expected;
    expect(stoppedAt).toBeGreaterThan(6000);
    const r = await uploadImage(setup(device), img, { bufSize: 384, bufCount: 4 });
    expect(r.resumedFrom).toBe(stoppedAt);
    expect(Buffer.from(device.data)).toEqual(Buffer.from(img));
  });

  it('gives UPLOAD_STALLED when the device stops answering', async () => {
    const device = new FakeUploadDevice();
    device.drop = (req) => (req.body.off as number) > 1000;
    await expect(uploadImage(setup(device), image(5000), { bufSize: 384, bufCount: 4, chunkTimeoutMs: 20, maxStalls: 3 })).rejects.toMatchObject({
      code: 'UPLOAD_STALLED',
    });
  });

  it('uploads FS files, rewinding on FILE_OFFSET_NOT_VALID', async () => {
    let stored: number[] = [];
    let dropOnce = true;
    const transport = new MemoryTransport((req, reply) => {
      const off = req.body.off as number;
      const data = req.body.data as Uint8Array;
      if (dropOnce && off > 2000) {
        dropOnce = false;
        return null;
      }
      if (off === 0) stored = [];
      if (off !== stored.length) return reply({ err: { group: 8, rc: 11 }, len: stored.length });
      stored.push(...data);
      reply({ off: stored.length });
    });
    const client = new SmpClient(transport, { framer: serialFramer, versionCache: new Map(), forceVersion: 1, defaultTimeoutMs: 100 });
    const file = Uint8Array.from({ length: 7000 }, (_, i) => i % 251);
    await uploadFile(client, '/lfs/x.bin', file, { bufSize: 384, bufCount: 4 });
    expect(Buffer.from(stored)).toEqual(Buffer.from(file));
    expect(transport.requests.every((r) => r.body.name === '/lfs/x.bin')).toBe(true);
  });

  it('uploads an empty file', async () => {
    const transport = new MemoryTransport((req) => ({ off: (req.body.data as Uint8Array).length }));
    const client = new SmpClient(transport, { framer: serialFramer, versionCache: new Map(), forceVersion: 1 });
    const r = await uploadFile(client, '/lfs/empty', new Uint8Array(0), { bufSize: 384, bufCount: 4 });
    expect(r.bytes).toBe(0);
    expect(transport.requests).toHaveLength(1);
  });
});
