/** The app's doctor: a report the contract accepts, a locked CA pointed at Settings, concurrent calls sharing one run. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DoctorReportSchema } from '../../contract/doctor';
import { silentLogger } from '../../log';
import { initCa } from '../../pki/station-ca';
import { createCore, type Core } from '../core';
import { createAppDoctor } from './app-doctor';

let dir: string;
let core: Core;
afterEach(async () => {
  await core.close();
  await rm(dir, { recursive: true, force: true });
});

describe('createAppDoctor', () => {
  it('answers a contract-valid report; a locked CA is to be unlocked in Settings; calls at once share one run', async () => {
    dir = await mkdtemp(join(tmpdir(), 'fieldline-app-doctor-'));
    await initCa(dir, { passphrase: 'correct horse battery staple 42' });
    core = createCore({ dataDir: dir, logger: silentLogger });
    const doctor = createAppDoctor(core);
    const first = doctor();
    const second = doctor();
    expect(second).toBe(first);
    const report = DoctorReportSchema.parse(await first);
    expect(report.checks.find((c) => c.id === 'ca.station')).toMatchObject({ status: 'warn', fix: expect.stringContaining('Settings') });
    expect(report.checks.find((c) => c.id === 'data.writable')).toMatchObject({ status: 'pass', found: `${dir} is writable` });
    // Finished: the next call is a new run.
    expect(doctor()).not.toBe(first);
    await doctor();
  });
});
