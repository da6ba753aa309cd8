/**
 * The one release gate (main/core/release-gate.ts), through every front end that starts runs: on a station that
 * follows a channel, a profile that is not one of its releases is refused with PROFILE_UNRELEASED unless the caller
 * allows it, and then the use is audited as profile.unreleased; a release of the channel passes unasked; a station
 * that follows no channel lets every profile by.
 */
import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MethodHandlers } from '../contract/dispatch';
import { selectEntries } from '../store/audit';
import { followChannel } from '../sync/release-store';
import { createTestApp, type TestApp } from '../testing/app';
import { withStoreOf } from '../testing/core-store';
import { holdRelease } from '../testing/releases';
import { loadProfileFileForRun } from './release-gate';

const NO_DEVICE = 'serial:/dev/fieldline-no-such-port';
const VARS = { site: 'FRA-7', interval: '60' };

interface FrontEnd {
  name: string;
  /** What the call answers once past the gate: the device named does not exist, so most stop there. */
  past: string;
  /** Starts what the front end starts with the profile; resolves or rejects with what the call answered. */
  start(t: { app: TestApp; handlers: MethodHandlers; profilePath: string }, allowUnreleased: boolean): unknown;
}

/** Each front end as its caller reaches it; the device named does not exist, so nothing gets past the gate but the gate. */
const FRONT_ENDS: FrontEnd[] = [
  { name: 'fieldline provision, batch, replace, drift --fix', past: 'ok', start: (t, allowUnreleased) => loadProfileFileForRun(t.profilePath, t.app.dataDir, { requireSignature: false, allowUnreleased }) },
  { name: 'provision:start', past: 'DEVICE_NOT_FOUND', start: (t, allowUnreleased) => t.handlers['provision:start']({ deviceId: NO_DEVICE, profilePath: t.profilePath, variables: VARS, allowUnreleased }) },
  {
    name: 'line:start',
    past: 'ok',
    start: async (t, allowUnreleased) => {
      const state = await t.handlers['line:start']({ profilePath: t.profilePath, variables: VARS, allowUnreleased });
      await t.handlers['line:stop']();
      return state;
    },
  },
  { name: 'drift:fix', past: 'DEVICE_NOT_FOUND', start: (t, allowUnreleased) => t.handlers['drift:fix']({ deviceId: NO_DEVICE, profilePath: t.profilePath, allowUnreleased }) },
  { name: 'replace:start', past: 'DEVICE_NOT_FOUND', start: (t, allowUnreleased) => t.handlers['replace:start']({ oldSerial: 'GW-OLD', deviceId: NO_DEVICE, profilePath: t.profilePath, allowUnreleased }) },
];

/** The error code a call ended with, or 'ok'. */
async function outcome(call: () => unknown): Promise<string> {
  try {
    await call();
    return 'ok';
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}

let station: TestApp;
let profilePath: string;

beforeEach(async () => {
  station = await createTestApp({ pollMs: 0 });
  const listed = await station.app.handlers['profiles:list']();
  const example = listed.find((p) => p.fileName === 'gateway-eu.yaml');
  if (!example) throw new Error('the example gateway-eu.yaml is not offered');
  profilePath = example.path;
}, 60_000);

afterEach(async () => {
  await station?.close();
});

describe.each(FRONT_ENDS)('$name', (frontEnd) => {
  const t = (): { app: TestApp; handlers: MethodHandlers; profilePath: string } => ({ app: station, handlers: station.app.handlers, profilePath });

  it('on a station that follows a channel: refused unless allowed', async () => {
    await followChannel(station.dataDir, 'pilot');
    expect(await outcome(() => frontEnd.start(t(), false))).toBe('PROFILE_UNRELEASED');
    expect(await outcome(() => frontEnd.start(t(), true))).toBe(frontEnd.past);
  });

  it('a release of the followed channel passes unasked; a station that follows none lets any profile by', async () => {
    expect(await outcome(() => frontEnd.start(t(), false))).toBe(frontEnd.past);
    await followChannel(station.dataDir, 'pilot');
    await holdRelease(station.dataDir, { kind: 'profile', name: 'gateway-eu', version: '1.0.0', channel: 'pilot', bytes: await readFile(profilePath) });
    expect(await outcome(() => frontEnd.start(t(), false))).toBe(frontEnd.past);
  });
});

it('a line started with an unreleased profile on a following station is audited as profile.unreleased, with the reason', async () => {
  await followChannel(station.dataDir, 'pilot');
  await station.app.handlers['line:start']({ profilePath, variables: VARS, allowUnreleased: true });
  await station.app.handlers['line:stop']();
  const entries = (await withStoreOf(station.dataDir, (store) => selectEntries(store.db, 200))).filter((e) => e.action === 'profile.unreleased');
  expect(entries).toHaveLength(1);
  expect(entries[0]).toMatchObject({ subject: profilePath, details: { channel: 'pilot', command: 'line:start' } });
  expect(String((entries[0]?.details as { reason?: unknown }).reason)).toContain('is not a release of channel "pilot"');
});
