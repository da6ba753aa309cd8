/**
 * The runner with its inputs injected: sessions on an in-process virtual device (no pty, no child process) and a
 * clock the test owns. What is checked here is how the runner decides, not the device's behaviour (that is
 * runner.integration.test.ts): an unplug is recognised by its error code whatever its words say, and the record's
 * times are the clock's.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../contract/clock';
import { FieldlineError } from '../errors';
import { initCa, openStationCa } from '../pki/station-ca';
import type { Signer } from '../pki/types';
import { loadProfile, type LoadedProfile } from '../profiles/load';
import { openStore } from '../store/store';
import type { Store } from '../store/types';
import { sampleServiceRecord } from '../testing/run-records';
import { virtualSession, type VirtualSession } from '../testing/virtual-session';
import { runProvisioning, type ProvisionOptions } from './runner';

const PASSPHRASE = 'runner-unit-test-passphrase';
let work: string;
let signer: Signer;
let store: Store;

/**
 * Writes a settings-and-diagnostics profile; `minFirmware` above the device's 1.0.0 makes its diagnostic fail.
 * `variables` is the profile's variables section (YAML), if any.
 */
async function profile(name: string, minFirmware: string, variables = ''): Promise<LoadedProfile> {
  const file = join(work, `${name}.yaml`);
  await writeFile(
    file,
    `apiVersion: fieldline/v1
name: ${name}
version: 1.0.0
${variables}firmware:
  minVersion: 1.0.0
identity:
  subject: "CN={{ device.serial }},O=Test"
  validityDays: 30
settings:
  fieldline/site: { type: string, value: "LAB-1" }
diagnostics:
  - { type: firmware-version, name: firmware, min: "${minFirmware}" }
`,
  );
  return loadProfile(file);
}

/** A clock that moves 250 ms on every reading, wall and monotonic alike: every time in the record is predictable. */
function tickingClock(startIso: string): Clock & { readings: number } {
  const start = Date.parse(startIso);
  const clock = {
    readings: 0,
    now: () => new Date(start + 250 * clock.readings++),
    monotonicMs: () => 250 * clock.readings++,
  };
  return clock;
}

function run(device: VirtualSession, options: Partial<ProvisionOptions> & Pick<ProvisionOptions, 'profile' | 'clock'>): ReturnType<typeof runProvisioning> {
  return runProvisioning({
    openSession: () => Promise.resolve(device.session),
    target: { kind: 'serial', path: '/dev/virtual-runner-test' },
    signer,
    store,
    station: { name: 'unit' },
    variables: {},
    ...options,
  });
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'fieldline-runner-'));
  const dataDir = join(work, 'data');
  await initCa(dataDir, { passphrase: PASSPHRASE, organization: 'Runner test' });
  signer = await openStationCa(dataDir, PASSPHRASE);
  store = openStore(dataDir);
}, 60_000);

afterAll(async () => {
  store?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('runProvisioning with injected inputs', () => {
  it('records an unplug during rollback as interrupted by its error code, whatever its message says', async () => {
    const device = await virtualSession({ serial: 'A1A1A1A1A1A10001' });
    // The transport reports the device gone in words no pattern anticipated; only the code says what happened.
    const gone = new FieldlineError('PORT_VANISHED', 'USB hub power-cycled port 3', { path: '/dev/virtual-runner-test' });
    const record = await run(device, {
      profile: await profile('unplug', '9.0.0'),
      clock: tickingClock('2026-03-01T08:00:00.000Z'),
      events: { onStepEnd: (step) => step.name === 'diagnostics' && step.outcome === 'failed' && device.unplug(gone) },
    });
    expect(record.error?.code).toBe('DIAGNOSTICS_FAILED');
    // The certificate was revoked (not a device action); the first device action met the unplug and ended the rollback.
    expect(record.rollback?.actions.map((a) => [a.action, a.outcome])).toEqual([
      ['revoke certificate', 'done'],
      ['restore settings', 'failed'],
    ]);
    expect(record.outcome).toBe('interrupted');
    expect(store.getRun(record.id)?.outcome).toBe('interrupted');
  }, 30_000);

  it('a rollback action that fails for another reason leaves the run failed, not interrupted', async () => {
    const device = await virtualSession({ serial: 'A1A1A1A1A1A10002' });
    const record = await run(device, {
      profile: await profile('fails', '9.0.0'),
      clock: tickingClock('2026-03-01T09:00:00.000Z'),
    });
    expect(record.error?.code).toBe('DIAGNOSTICS_FAILED');
    expect(record.rollback?.actions.every((a) => a.outcome === 'done')).toBe(true);
    expect(record.outcome).toBe('failed');
  }, 30_000);

  it("takes every time in the record from the injected clock: step timings are the clock's, run after run", async () => {
    const times = async (serial: string): Promise<Array<[string, string, string]>> => {
      const device = await virtualSession({ serial });
      const record = await run(device, { profile: await profile('pass', '1.0.0'), clock: tickingClock('2026-03-01T10:00:00.000Z') });
      expect(record.outcome, JSON.stringify(record.error)).toBe('passed');
      expect(record.startedAt).toBe('2026-03-01T10:00:00.000Z');
      expect(Date.parse(record.endedAt)).toBeGreaterThan(Date.parse(record.steps.at(-1)?.endedAt ?? ''));
      return record.steps.map((s) => [s.name, s.startedAt, s.endedAt]);
    };
    const first = await times('A1A1A1A1A1A10003');
    // Each step reads the clock when it starts and when it ends, in order, on the run's own 250 ms ticks.
    for (const [i, [, started, ended]] of first.entries()) {
      expect(Date.parse(ended) - Date.parse(started), first[i]?.[0]).toBeGreaterThanOrEqual(250);
      if (i > 0) expect(Date.parse(started)).toBeGreaterThan(Date.parse(first[i - 1]?.[2] ?? ''));
    }
    expect(first[0]?.[1]).toBe('2026-03-01T10:00:00.250Z');
    // A second device, a second run, the same clock readings: the same times to the millisecond.
    expect(await times('A1A1A1A1A1A10004')).toEqual(first);
  }, 30_000);

  it("copies the run's site variable (given, or the profile's default) into the record, and none when there is none", async () => {
    const withSite = await profile('sited', '1.0.0', 'variables:\n  site: { default: "lab-0" }\n');
    const given = await run(await virtualSession({ serial: 'A1A1A1A1A1A10005' }), { profile: withSite, clock: tickingClock('2026-03-01T11:00:00.000Z'), variables: { site: 'berlin-1' } });
    expect(given.outcome, JSON.stringify(given.error)).toBe('passed');
    expect(given.site).toBe('berlin-1');
    expect(store.getRun(given.id)?.site).toBe('berlin-1');
    const byDefault = await run(await virtualSession({ serial: 'A1A1A1A1A1A10006' }), { profile: withSite, clock: tickingClock('2026-03-01T11:10:00.000Z') });
    expect(byDefault.site).toBe('lab-0');
    const none = await run(await virtualSession({ serial: 'A1A1A1A1A1A10007' }), { profile: await profile('unsited', '1.0.0'), clock: tickingClock('2026-03-01T11:20:00.000Z') });
    expect(none).not.toHaveProperty('site');
  }, 30_000);

  it('counts a unit as rework only after a passed provisioning run, never after a passed service record (issue #16)', async () => {
    const serial = 'A1A1A1A1A1A10009';
    store.saveRun(sampleServiceRecord({ serial, startedAt: '2026-03-01T12:30:00.000Z' }));
    const first = await run(await virtualSession({ serial }), { profile: await profile('rework', '1.0.0'), clock: tickingClock('2026-03-01T13:00:00.000Z') });
    expect(first.outcome, JSON.stringify(first.error)).toBe('passed');
    expect(first.rework).toBeUndefined();
  }, 30_000);

  it('refuses a site the registry could not take before it touches the device', async () => {
    const withSite = await profile('sited-bad', '1.0.0', 'variables:\n  site: {}\n');
    for (const site of ['  ', 'berlin\n1', 's'.repeat(129)]) {
      const device = await virtualSession({ serial: 'A1A1A1A1A1A10008' });
      let opened = false;
      const refused = await runProvisioning({
        openSession: () => {
          opened = true;
          return Promise.resolve(device.session);
        },
        target: { kind: 'serial', path: '/dev/virtual-runner-test' },
        signer,
        store,
        station: { name: 'unit' },
        variables: { site },
        profile: withSite,
        clock: tickingClock('2026-03-01T12:00:00.000Z'),
      }).catch((err: unknown) => err);
      expect((refused as FieldlineError).code, site).toBe('TEMPLATE_VARIABLE_INVALID');
      expect((refused as Error).message).toMatch(/site=.* must be 1–128 printable characters/);
      expect(opened).toBe(false);
    }
  }, 30_000);
});
