/** The doctor in the renderer: run at start for the banner and on the Doctor screen, one run at a time, a failure in the alerts. */
import { beforeEach, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../../main/contract/api';
import { alertsStore } from '../state/alerts';
import { doctorStore, failedChecks } from '../state/doctor';
import { parseHash } from '../state/nav';
import { createFakeApi, type FakeApi } from '../testing/fake-api';
import { resetStores } from '../testing/reset';
import { setApi } from './api';
import { runDoctor } from './doctor';
import { enterScreen, loadAll } from './start';

const REPORT: DoctorReport = {
  checks: [
    { id: 'serial.access', title: 'Serial port permission (dialout group)', status: 'fail', found: 'tech is not in the dialout group', fix: 'sudo usermod -aG dialout tech, then log out and in' },
    { id: 'tools.socat', title: 'socat (virtual gateways)', status: 'pass', found: 'socat at /usr/bin/socat', fix: 'nothing to do' },
  ],
  ok: false,
  counts: { pass: 1, warn: 0, fail: 1, skip: 0 },
  platform: 'linux',
  startedAt: '2026-12-07T12:00:00.000Z',
  ms: 120,
};

let fake: FakeApi;
beforeEach(() => {
  resetStores();
  // Wrapped: the report's own `ok` field would make the fake take the bare report for a Result.
  fake = createFakeApi({ 'doctor:run': () => ({ ok: true, value: REPORT }) });
  setApi(fake.api);
});

describe('runDoctor', () => {
  it('keeps the report; the banner counts its failures', async () => {
    await runDoctor();
    expect(doctorStore.getState()).toMatchObject({ report: REPORT, running: false });
    expect(failedChecks(doctorStore.getState().report).map((c) => c.id)).toEqual(['serial.access']);
  });

  it('runs once when asked twice at once (the start-up run and the screen entered)', async () => {
    await Promise.all([runDoctor(), runDoctor()]);
    expect(fake.calls.filter((c) => c.method === 'doctor:run')).toHaveLength(1);
  });

  it('says so in the alerts when the call fails, and keeps the last report', async () => {
    await runDoctor();
    fake.handlers['doctor:run'] = () => ({ ok: false, error: { code: 'INTERNAL', message: 'broken' } });
    await runDoctor();
    expect(doctorStore.getState().report).toEqual(REPORT);
    expect(alertsStore.getState().alerts.map((a) => a.context)).toContain('Checking this machine (doctor)');
  });

  it('at start, a failed call is not an alert: the banner is about the machine, not about the call', async () => {
    fake.handlers['doctor:run'] = () => ({ ok: false, error: { code: 'INTERNAL', message: 'broken' } });
    await runDoctor({ quiet: true });
    expect(alertsStore.getState().alerts).toEqual([]);
    expect(doctorStore.getState()).toMatchObject({ report: undefined, running: false });
  });

  it('runs with every full load (start, each sign-in, a reconnection), quietly', async () => {
    await loadAll();
    expect(fake.calls.filter((c) => c.method === 'doctor:run')).toHaveLength(1);
    expect(doctorStore.getState().report).toEqual(REPORT);
  });

  it('runs when the Doctor screen is entered (#/doctor)', async () => {
    expect(parseHash('#/doctor')).toEqual({ screen: 'doctor' });
    await enterScreen({ screen: 'doctor' });
    expect(fake.calls.map((c) => c.method)).toEqual(['doctor:run']);
  });
});
