/**
 * Benchmark 1: FS and image upload of 256 KiB through a virtual gateway throttled to a real UART's rate,
 * pipelined and stop-and-wait, against the ceiling of that link and buffer.
 */
import { randomBytes } from 'node:crypto';
import { GatewaySession } from '../main/device/session';
import { uploadFile } from '../main/smp/groups/fs';
import { uploadImage } from '../main/smp/groups/image';
import { makeMcubootImage } from '../main/device/mcuboot-image';
import type { UploadResult } from '../main/smp/upload';
import { spawnSimulator } from '../main/testing/sim-process';
import { uploadCeiling } from './ceiling';

export interface UploadCase {
  kind: 'fs' | 'image';
  baud: number;
  bufSize: number;
  bufCount: number;
  window: number;
}

export interface UploadRow extends UploadCase {
  bytesPerSecond: number;
  ceiling: number;
  ratio: number;
  seconds: number;
  resentBytes: number;
}

export async function runUploadCase(c: UploadCase, size: number): Promise<UploadRow> {
  // Device-side delays are zero: the figure is what the link, the framing and the client make of it.
  const sim = await spawnSimulator({
    count: 1,
    baud: c.baud,
    bufSize: c.bufSize,
    bufCount: c.bufCount,
    extra: ['--delay', 'flashWritePerKiB=0', '--delay', 'erase=0'],
  });
  const session = await GatewaySession.openSerial(sim.gateways[0]!.port, { timeoutMs: 5000 });
  try {
    const buffers = await session.buffers();
    const options = { ...buffers, window: c.window };
    let result: UploadResult;
    let ceiling;
    if (c.kind === 'fs') {
      const data = randomBytes(size);
      result = await uploadFile(session.client, '/lfs/bench.bin', data, options);
      ceiling = uploadCeiling({ group: 8, command: 0, what: '', firstFields: { len: size }, everyFields: { name: '/lfs/bench.bin' } }, size, c.bufSize, c.baud);
    } else {
      const data = makeMcubootImage({ version: '1.0.1', size });
      result = await uploadImage(session.client, data, options);
      ceiling = uploadCeiling(
        { group: 1, command: 1, what: '', firstFields: { image: 0, len: size, sha: new Uint8Array(32) } },
        size,
        c.bufSize,
        c.baud,
      );
    }
    const limit = c.window > 1 ? ceiling.pipelined : ceiling.stopAndWait;
    return {
      ...c,
      bytesPerSecond: result.bytesPerSecond,
      ceiling: limit,
      ratio: result.bytesPerSecond / limit,
      seconds: result.seconds,
      resentBytes: result.resentBytes,
    };
  } finally {
    await session.close();
    await sim.stop();
  }
}
