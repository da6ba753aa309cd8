/** The data directory checks: free space and writability, each failure naming the folder and the fix. */
import { describe, expect, it } from 'vitest';
import { healthyProbes } from '../../testing/doctor-probes';
import { dataDirChecks } from './data-dir';
import type { DataDirProbes } from './probes';

const MIB = 1024 * 1024;
const check = async (id: string, overrides: Partial<DataDirProbes> = {}) => dataDirChecks(healthyProbes(overrides, '/srv/fieldline')).find((c) => c.id === id)!.run();
const errno = (code: string) => async (): Promise<void> => {
  throw Object.assign(new Error(`${code}: failed`), { code });
};

describe('data directory checks', () => {
  it('pass on a writable folder with room', async () => {
    expect(await check('data.writable')).toMatchObject({ status: 'pass', found: '/srv/fieldline is writable' });
    expect((await check('data.disk')).status).toBe('pass');
  });

  it('fail on a read-only or full folder, naming it and the fix', async () => {
    const ro = await check('data.writable', { writeTest: errno('EROFS') });
    expect(ro).toMatchObject({ status: 'fail', found: '/srv/fieldline is on a read-only file system' });
    expect(ro.fix).toContain('FIELDLINE_DATA_DIR');
    const full = await check('data.writable', { writeTest: errno('ENOSPC') });
    expect(full.found).toBe('/srv/fieldline is on a full disk');
    const denied = await check('data.writable', { writeTest: errno('EACCES') });
    expect(denied.fix).toContain('sudo chown -R "$USER" /srv/fieldline');
  });

  it('fails under 100 MiB free and warns under 1 GiB', async () => {
    const low = await check('data.disk', { diskSpace: async () => ({ freeBytes: 20 * MIB, totalBytes: 1000 * MIB }) });
    expect(low.status).toBe('fail');
    expect(low.found).toContain('20.0 MiB free');
    expect(low.found).toContain('/srv/fieldline');
    expect((await check('data.disk', { diskSpace: async () => ({ freeBytes: 500 * MIB, totalBytes: 1000 * MIB }) })).status).toBe('warn');
  });
});
