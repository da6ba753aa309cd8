import { readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeCbor } from '../../smp/cbor';
import { crc32, resolveFsPath } from './fs-path';
import { downloadChunkSize } from './fs';
import { hex, sha256, tempDir, testDevice, type TestDevice } from './test-support';

const FS = 8;
const content = new Uint8Array(Array.from({ length: 1500 }, (_, i) => (i * 7 + 3) & 0xff));

async function upload(t: TestDevice, name: string, data: Uint8Array, chunk = 200): Promise<void> {
  for (let off = 0; off < data.length; off += chunk) {
    const body = { name, off, data: data.subarray(off, off + chunk), ...(off === 0 ? { len: data.length } : {}) };
    expect(await t.ok(FS, 0, 'write', body)).toEqual({ off: Math.min(off + chunk, data.length) });
  }
}

async function download(t: TestDevice, name: string): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let off = 0;
  let len = Infinity;
  while (off < len) {
    const reply = await t.ok(FS, 0, 'read', { name, off });
    if (off === 0) len = reply.len as number;
    expect(reply.off).toBe(off);
    // Every reply fits the SMP buffer less the serial length prefix and CRC.
    expect(8 + encodeCbor(reply).length).toBeLessThanOrEqual(t.device.config.bufSize - 4);
    const data = reply.data as Uint8Array;
    parts.push(data);
    off += data.length;
  }
  return new Uint8Array(Buffer.concat(parts));
}

describe('FS group', () => {
  it('round-trips a file through upload, download, status and both hashes', async () => {
    const t = await testDevice();
    await upload(t, '/lfs/certs/device.crt', content);
    expect(hex(await readFile(join(t.dir, 'fs', 'certs', 'device.crt')))).toBe(hex(content));
    expect(hex(await download(t, '/lfs/certs/device.crt'))).toBe(hex(content));
    expect(await t.ok(FS, 1, 'read', { name: '/lfs/certs/device.crt' })).toEqual({ len: 1500 });
    expect(await t.ok(FS, 2, 'read', { name: '/lfs/certs/device.crt' })).toEqual({ type: 'crc32', len: 1500, output: crc32(content) });
    const sha = await t.ok(FS, 2, 'read', { name: '/lfs/certs/device.crt', type: 'sha256', off: 100, len: 50 });
    expect(sha).toEqual({ type: 'sha256', off: 100, len: 50, output: sha256(content.subarray(100, 150)) });
    expect(await t.ok(FS, 3, 'read')).toEqual({ types: { crc32: { format: 0, size: 4 }, sha256: { format: 1, size: 32 } } });
  });

  it('computes zlib-compatible CRC-32', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('sizes download chunks to the buffer', async () => {
    const small = await testDevice({ bufSize: 128 });
    await upload(small, '/lfs/config/blob', content, 60);
    expect(hex(await download(small, '/lfs/config/blob'))).toBe(hex(content));
    expect(downloadChunkSize(384, 0, 1500)).toBeGreaterThan(300);
  });

  it('truncates on a new upload at offset 0 and needs len there', async () => {
    const t = await testDevice();
    await upload(t, '/lfs/config/a.txt', content);
    await upload(t, '/lfs/config/a.txt', new Uint8Array([1, 2, 3]));
    expect(await t.ok(FS, 1, 'read', { name: '/lfs/config/a.txt' })).toEqual({ len: 3 });
    expect(await t.call(FS, 0, 'write', { name: '/lfs/config/a.txt', off: 0, data: new Uint8Array(1) })).toMatchObject({
      kind: 'smp-error',
      name: 'EINVAL',
    });
  });

  it('refuses a chunk at the wrong offset with the current length, and resumes from the file size', async () => {
    const t = await testDevice();
    await t.ok(FS, 0, 'write', { name: '/lfs/config/b', off: 0, len: 300, data: content.subarray(0, 100) });
    expect(await t.call(FS, 0, 'write', { name: '/lfs/config/b', off: 150, data: content.subarray(150, 200) })).toEqual({
      kind: 'group-error',
      name: 'FILE_OFFSET_NOT_VALID',
      extra: { len: 100 },
    });
    // No context any more (the error closed it, as a reboot would): the device continues from the file's size.
    await t.device.boot();
    expect(await t.ok(FS, 0, 'write', { name: '/lfs/config/b', off: 100, data: content.subarray(100, 300) })).toEqual({ off: 300 });
    expect(await t.ok(FS, 1, 'read', { name: '/lfs/config/b' })).toEqual({ len: 300 });
  });

  it('rejects names that could leave the volume, and other mount points', async () => {
    const t = await testDevice();
    const err = (name: string) => t.call(FS, 1, 'read', { name });
    for (const name of ['/lfs/../state.json', '/lfs/certs/../../x', 'lfs/certs/a', '/lfs/a\u0000b', '/lfs//a', '/lfs/./a', '/lfs/a\\..\\b', '']) {
      expect(await err(name), name).toMatchObject(name === '' ? { kind: 'group-error' } : { kind: 'group-error', name: 'FILE_INVALID_NAME' });
    }
    expect(await err('/data/a')).toEqual({ kind: 'group-error', name: 'MOUNT_POINT_NOT_FOUND' });
    expect(await err('/lfs/' + 'x'.repeat(80))).toMatchObject({ kind: 'smp-error', name: 'EINVAL' });
    expect(resolveFsPath('/root/fs', '/lfs/a/b')).toMatchObject({ ok: true, host: '/root/fs/a/b' });
    expect(resolveFsPath('/root/fs', '/lfs/..hidden')).toMatchObject({ ok: true, host: '/root/fs/..hidden' });
    const write = await t.call(FS, 0, 'write', { name: '/lfs/../escape', off: 0, len: 1, data: new Uint8Array(1) });
    expect(write).toEqual({ kind: 'group-error', name: 'FILE_INVALID_NAME' });
  });

  it('does not follow a symlink out of the volume', async () => {
    const t = await testDevice();
    const outside = await tempDir();
    await symlink(outside, join(t.dir, 'fs', 'link'));
    await writeFile(join(outside, 'secret'), 'outside');
    await symlink(join(outside, 'secret'), join(t.dir, 'fs', 'config', 'secret'));
    expect(await t.call(FS, 0, 'read', { name: '/lfs/config/secret', off: 0 })).toEqual({ kind: 'group-error', name: 'FILE_INVALID_NAME' });
    expect(await t.call(FS, 0, 'write', { name: '/lfs/link/x', off: 0, len: 1, data: new Uint8Array(1) })).toEqual({
      kind: 'group-error',
      name: 'FILE_INVALID_NAME',
    });
  });

  it('names missing files, folders, missing parents, empty files and bad hash requests', async () => {
    const t = await testDevice();
    expect(await t.call(FS, 0, 'read', { name: '/lfs/nope', off: 0 })).toEqual({ kind: 'group-error', name: 'FILE_NOT_FOUND' });
    expect(await t.call(FS, 1, 'read', { name: '/lfs/certs' })).toEqual({ kind: 'group-error', name: 'FILE_IS_DIRECTORY' });
    expect(await t.call(FS, 1, 'read', { name: '/lfs' })).toEqual({ kind: 'group-error', name: 'FILE_IS_DIRECTORY' });
    expect(await t.call(FS, 0, 'write', { name: '/lfs/no/dir', off: 0, len: 1, data: new Uint8Array(1) })).toEqual({
      kind: 'group-error',
      name: 'MOUNT_POINT_NOT_FOUND',
    });
    await t.ok(FS, 0, 'write', { name: '/lfs/config/empty', off: 0, len: 0 });
    expect(await t.call(FS, 2, 'read', { name: '/lfs/config/empty' })).toEqual({ kind: 'group-error', name: 'FILE_EMPTY' });
    await upload(t, '/lfs/config/c', content.subarray(0, 10));
    expect(await t.call(FS, 2, 'read', { name: '/lfs/config/c', off: 10 })).toEqual({
      kind: 'group-error',
      name: 'FILE_OFFSET_LARGER_THAN_FILE',
    });
    expect(await t.call(FS, 2, 'read', { name: '/lfs/config/c', type: 'md5' })).toEqual({
      kind: 'group-error',
      name: 'CHECKSUM_HASH_NOT_FOUND',
    });
    expect(await t.call(FS, 0, 'read', { name: 7, off: 0 })).toMatchObject({ kind: 'smp-error', name: 'EINVAL' });
    expect(await t.ok(FS, 4, 'write')).toEqual({});
  });
});
