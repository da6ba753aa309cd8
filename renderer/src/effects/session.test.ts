/**
 * The renderer's side of operators (issue #14): on a station with operators nothing but the session is read until
 * someone signs in, and everything once they have; the idle lock locks the screen after the session's idle time
 * without input (touching the station while the user is active, not more than it needs), on a clock the test moves.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionState } from '../../../main/contract/api';
import { permissionsOf } from '../../../main/contract/operators';
import { lineStore } from '../state/line';
import { profilesStore } from '../state/profiles';
import { allows, mustSignIn, sessionStore } from '../state/session';
import { settingsStore } from '../state/settings';
import { createFakeApi, manualFrames, settle } from '../testing/fake-api';
import { resetStores } from '../testing/reset';
import { lineState, queueStatus, settings, stationStatus } from '../testing/samples';
import type { ActivitySource } from './session';
import { startEffects } from './start';

const MINUTE = 60_000;
const locked: SessionState = { claimed: true, idleLockMs: 15 * MINUTE };
const tom: SessionState = { ...locked, operator: { name: 'tom', role: 'technician', permissions: permissionsOf('technician') } };

function claimedStation(session: SessionState) {
  return createFakeApi({
    'session:get': () => session,
    'session:sign-in': () => tom,
    'session:sign-out': () => locked,
    'session:touch': () => tom,
    'app:version': () => ({ name: 'fieldline', version: '0.1.0' }),
    'station:status': () => stationStatus(),
    'devices:list': () => [],
    'profiles:list': () => [],
    'queue:status': () => queueStatus(),
    'settings:get': () => settings(),
    'line:state': () => lineState(),
  });
}

function fakeActivity(): ActivitySource & { fire(): void } {
  const listeners = new Set<() => void>();
  return {
    addEventListener: (_type, listener) => void listeners.add(listener),
    removeEventListener: (_type, listener) => void listeners.delete(listener),
    fire: () => [...listeners].forEach((l) => l()),
  };
}

function fakeTime() {
  let now = 0;
  let timers: Array<{ at: number; fire: () => void; cancelled: boolean }> = [];
  return {
    now: () => now,
    setTimer: (ms: number, fire: () => void) => {
      const timer = { at: now + ms, fire, cancelled: false };
      timers.push(timer);
      return () => void (timer.cancelled = true);
    },
    advance(ms: number) {
      now += ms;
      const due = timers.filter((t) => !t.cancelled && t.at <= now);
      timers = timers.filter((t) => !t.cancelled && t.at > now);
      for (const timer of due) timer.fire();
    },
  };
}

let stop: (() => void) | undefined;
beforeEach(() => resetStores());
afterEach(() => {
  stop?.();
  stop = undefined;
});

describe('operators in the renderer', () => {
  it('reads nothing but the session until someone signs in, then everything', async () => {
    const fake = claimedStation(locked);
    stop = startEffects(fake.api, { schedule: manualFrames().schedule });
    await settle();
    expect(mustSignIn(sessionStore.getState().session)).toBe(true);
    expect(fake.calls.map((c) => c.method)).toEqual(['session:get']);

    // A rework chosen by whoever was here before is not the next operator's choice.
    profilesStore.getState().setReprovision(true);
    lineStore.getState().choose({ rework: 'keep' });
    fake.emit('session:changed', tom);
    await settle();
    expect(mustSignIn(sessionStore.getState().session)).toBe(false);
    expect(profilesStore.getState().choice.reprovision).toBe(false);
    expect(lineStore.getState().choice.rework).toBeUndefined();
    expect(fake.calls.map((c) => c.method)).toEqual(expect.arrayContaining(['devices:list', 'settings:get', 'queue:status']));
    expect(settingsStore.getState().settings).toBeDefined();
  });

  it('offers a technician neither the registry nor the CA, and everything on a station without operators', () => {
    expect(allows(tom, 'provision')).toBe(true);
    expect(allows(tom, 'registry.settings')).toBe(false);
    expect(allows(tom, 'ca.manage')).toBe(false);
    expect(allows(locked, 'provision')).toBe(false);
    expect(allows({ claimed: false, idleLockMs: MINUTE }, 'ca.manage')).toBe(true);
  });

  it('asks for the session again when an admin changes the idle lock', async () => {
    const fake = claimedStation(tom);
    stop = startEffects(fake.api, { schedule: manualFrames().schedule });
    await settle();
    fake.handlers['session:get'] = () => ({ ...tom, idleLockMs: MINUTE });
    fake.emit('settings:changed', settings({ idleLockMinutes: 1 }));
    await settle();
    expect(sessionStore.getState().session?.idleLockMs).toBe(MINUTE);
  });

  it('locks the screen after the idle time without input, and touches the station while the user is active', async () => {
    const fake = claimedStation(tom);
    const activity = fakeActivity();
    const time = fakeTime();
    stop = startEffects(fake.api, { schedule: manualFrames().schedule, idle: { activity, now: time.now, setTimer: time.setTimer } });
    await settle();
    expect(sessionStore.getState().session?.operator?.name).toBe('tom');

    time.advance(10 * MINUTE);
    activity.fire();
    activity.fire(); // within the same half minute: one touch
    await settle();
    expect(fake.calls.filter((c) => c.method === 'session:touch')).toHaveLength(1);

    time.advance(14 * MINUTE);
    expect(sessionStore.getState().session?.operator?.name).toBe('tom');
    time.advance(1 * MINUTE);
    await settle();
    expect(sessionStore.getState().session).toEqual({ ...locked, ended: 'idle' });
    expect(mustSignIn(sessionStore.getState().session)).toBe(true);
    expect(fake.calls.filter((c) => c.method === 'session:sign-out')).toHaveLength(1);
  });
});
