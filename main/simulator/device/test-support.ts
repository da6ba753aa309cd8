/**
 * Helpers for the device model's tests: a device in a throw-away directory with every delay at 0, a way to send it
 * requests, and an image upload done the way a real client does it (chunks sized to the device's buffer, each next
 * chunk at the offset the device answered).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import { encodeCbor } from '../../smp/cbor';
import { Op } from '../../smp/header';
import type { Body, SimEffects, SimReply } from '../handler';
import { NO_DELAYS, type DeviceConfig } from './config';
import { createVirtualDevice, type VirtualDevice, type VirtualDeviceOptions } from './device';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fieldline-device-'));
  dirs.push(dir);
  return dir;
}

export interface TestDevice {
  device: VirtualDevice;
  dir: string;
  /** How many times a handler asked the runtime to reboot. */
  reboots: number;
  call(group: number, command: number, op: 'read' | 'write', body?: Body): Promise<SimReply>;
  /** Like call, but fails the test unless the reply is a success, and returns its body. */
  ok(group: number, command: number, op: 'read' | 'write', body?: Body): Promise<Body>;
}

export async function testDevice(
  config: Partial<DeviceConfig> = {},
  dir?: string,
  options: VirtualDeviceOptions = {},
): Promise<TestDevice> {
  const stateDir = dir ?? (await tempDir());
  const device = await createVirtualDevice({ serial: '0123456789ABCDEF', ...config, delays: { ...NO_DELAYS, ...config.delays } }, stateDir, options);
  const t: TestDevice = {
    device,
    dir: stateDir,
    reboots: 0,
    call: (group, command, op, body = {}) => {
      const effects: SimEffects = { reboot: () => void t.reboots++ };
      return device.dispatch({ op: op === 'read' ? Op.Read : Op.Write, version: 1, group, command, body }, effects);
    },
    ok: async (group, command, op, body = {}) => {
      const reply = await t.call(group, command, op, body);
      expect(reply).toMatchObject({ kind: 'ok' });
      return (reply as { body: Body }).body;
    },
  };
  return t;
}

export const sha256 = (b: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(b).digest());
export const hex = (b: unknown): string => Buffer.from(b as Uint8Array).toString('hex');

/** Data bytes that fit one upload request at `off` so the packet stays within bufSize − 4 (as Android's Uploader). */
export function chunkFor(bufSize: number, fields: Body): number {
  const overhead = 8 + encodeCbor({ ...fields, data: new Uint8Array(0) }).length + 2;
  return bufSize - 4 - overhead;
}

export interface UploadResult {
  replies: Body[];
  last: Body;
  requests: number;
}

/** Uploads `image` as a real client: first chunk with len and sha, then from the offset each reply names. */
export async function uploadImage(t: TestDevice, image: Uint8Array, extra: Body = {}): Promise<UploadResult> {
  const bufSize = t.device.config.bufSize;
  const sha = sha256(image);
  const replies: Body[] = [];
  let off = 0;
  let requests = 0;
  while (requests < 10_000) {
    const head: Body = off === 0 ? { image: 0, len: image.length, off, sha, ...extra } : { off };
    const data = image.subarray(off, off + chunkFor(bufSize, { ...head, off: Math.max(off, 0x10000) }));
    const body = { ...head, data };
    expect(8 + encodeCbor(body).length).toBeLessThanOrEqual(bufSize - 4);
    const reply = await t.ok(1, 1, 'write', body);
    requests++;
    replies.push(reply);
    off = reply.off as number;
    if (off === image.length) return { replies, last: reply, requests };
  }
  throw new Error('upload did not finish');
}

export async function imageState(t: TestDevice): Promise<Body[]> {
  return (await t.ok(1, 0, 'read')).images as Body[];
}
