import { describe, expect, it } from 'vitest';
import { fileStatus, uploadFile } from '../smp/groups/fs';
import { GROUP } from '../smp/error-codes';
import { virtualSession } from '../testing/virtual-session';
import { removeCreatedFile, restoreFile } from './rollback-files';

const SITE = '/lfs/config/site.json';
const golden = new Uint8Array(Buffer.from('{"site":"golden","region":"eu","interval":60,"tls":true,"x":1}\n'));

describe('rollback of files, read back', () => {
  it('removes a file the run created with fs rm and proves it gone by FS status', async () => {
    const { session } = await virtualSession();
    await uploadFile(session.client, SITE, golden, await session.buffers());
    expect(await removeCreatedFile(session, SITE)).toEqual({
      target: SITE,
      outcome: 'done',
      verified: 'not found',
      detail: 'removed with fs rm (did not exist before)',
    });
    await expect(fileStatus(session.client, SITE)).rejects.toMatchObject({ groupErrorName: 'FILE_NOT_FOUND' });
  });

  it('reports the file as left on the device when the shell has no fs command', async () => {
    const { session } = await virtualSession({ fsShell: false });
    await uploadFile(session.client, SITE, golden, await session.buffers());
    const result = await removeCreatedFile(session, SITE);
    expect(result).toMatchObject({ target: SITE, outcome: 'failed', leftOnDevice: true, verified: `present, ${golden.length} bytes` });
    expect(result.detail).toContain('`fs` is not a command');
    expect((await fileStatus(session.client, SITE)).len).toBe(golden.length);
  });

  it('reports the file as left on the device when the shell group is absent', async () => {
    const { session } = await virtualSession({}, [GROUP.SHELL]);
    await uploadFile(session.client, SITE, golden, await session.buffers());
    expect(await removeCreatedFile(session, SITE)).toMatchObject({ outcome: 'failed', leftOnDevice: true, detail: expect.stringContaining('no shell group') });
  });

  it('calls a file the run never created not needed, after checking', async () => {
    const { session } = await virtualSession({ fsShell: false });
    expect(await removeCreatedFile(session, SITE)).toMatchObject({ outcome: 'not-needed', verified: 'not found' });
  });

  it('writes an old file back and compares what downloads; a shorter old file is not faked', async () => {
    const { session } = await virtualSession();
    const old = new Uint8Array(Buffer.from('{"site":"old"}'));
    await uploadFile(session.client, SITE, golden, await session.buffers());
    expect(await restoreFile(session, SITE, old)).toMatchObject({ outcome: 'done', verified: expect.stringMatching(/^14 bytes, sha256 /) });
    // Zephyr 3.4: a zero-byte upload at offset 0 leaves the file as it is, so an empty "before" cannot be restored.
    const result = await restoreFile(session, SITE, new Uint8Array(0));
    expect(result).toMatchObject({ outcome: 'failed', verified: expect.stringMatching(/^14 bytes/) });
  });
});
