/**
 * One window's operator session on its own, with the core's operator service replaced by a small fake and time moved
 * by the test: the idle lock follows a changed setting, a disabled operator's session ends at their next call, a
 * second sign-in in the same window waits for nobody, and closing a session leaves no timer behind.
 */
import { describe, expect, it } from 'vitest';
import { permissionsOf, roleAllows } from '../contract/operators';
import type { SessionState } from '../contract/session';
import { FieldlineError } from '../errors';
import type { SignedInOperator } from '../core/operators';
import { createOperatorSession, type SessionOperators, type SetTimer } from './operator-session';

const MINUTE = 60_000;

function fakeOperators(): SessionOperators & { disabled: Set<string>; release?: () => void } {
  const disabled = new Set<string>();
  const fake: SessionOperators & { disabled: Set<string>; release?: () => void } = {
    disabled,
    claimed: () => true,
    signIn: async (name) => {
      if (name === 'slow') await new Promise<void>((resolve) => (fake.release = resolve));
      return { name, role: 'technician' };
    },
    authorize: (acting, permission, action) => {
      if (!acting) throw new FieldlineError('OPERATOR_SIGN_IN_REQUIRED', action);
      if (disabled.has(acting.name)) throw new FieldlineError('OPERATOR_DISABLED', acting.name);
      if (!roleAllows(acting.role, permission)) throw new FieldlineError('PERMISSION_DENIED', action);
      return `operator:${acting.name}`;
    },
    signedIn: (acting: SignedInOperator) => ({ name: acting.name, role: acting.role, permissions: permissionsOf(acting.role) }),
  };
  return fake;
}

function fakeTime() {
  const clock = { now: 0 };
  let timers: Array<{ at: number; fire: () => void; cancelled: boolean }> = [];
  const setTimer: SetTimer = (ms, fire) => {
    const timer = { at: clock.now + ms, fire, cancelled: false };
    timers.push(timer);
    return () => void (timer.cancelled = true);
  };
  return {
    now: () => clock.now,
    setTimer,
    pending: () => timers.filter((t) => !t.cancelled).length,
    advance(ms: number) {
      clock.now += ms;
      const due = timers.filter((t) => !t.cancelled && t.at <= clock.now);
      timers = timers.filter((t) => !t.cancelled && t.at > clock.now);
      for (const timer of due) timer.fire();
    },
  };
}

describe('an operator session', () => {
  it('locks at the idle time in force, also when an admin changed it since the last touch', async () => {
    const time = fakeTime();
    let minutes = 15;
    const session = createOperatorSession({ operators: fakeOperators(), idleLockMs: () => minutes * MINUTE, now: time.now, setTimer: time.setTimer });
    const changes: SessionState[] = [];
    session.onChange((state) => changes.push(state));
    await session.signIn('tom', '4711');
    minutes = 30;
    time.advance(15 * MINUTE);
    expect(session.state()).toMatchObject({ operator: { name: 'tom' }, idleLockMs: 30 * MINUTE });
    time.advance(15 * MINUTE);
    expect(session.state()).toEqual({ claimed: true, idleLockMs: 30 * MINUTE, ended: 'idle' });
    expect(changes.map((c) => c.operator?.name ?? c.ended)).toEqual(['tom', 'idle']);
    expect(() => session.authorize('provision', 'provision a gateway')).toThrow(expect.objectContaining({ code: 'OPERATOR_SIGN_IN_REQUIRED' }));
  });

  it('ends at the next call of an operator disabled since signing in, and says why', async () => {
    const operators = fakeOperators();
    const time = fakeTime();
    const session = createOperatorSession({ operators, idleLockMs: () => 15 * MINUTE, now: time.now, setTimer: time.setTimer });
    await session.signIn('tom', '4711');
    expect(session.authorize('provision', 'provision a gateway')).toBe('operator:tom');
    operators.disabled.add('tom');
    expect(() => session.authorize('provision', 'provision a gateway')).toThrow(expect.objectContaining({ code: 'OPERATOR_DISABLED' }));
    expect(session.state()).toEqual({ claimed: true, idleLockMs: 15 * MINUTE, ended: 'disabled' });
    expect(time.pending()).toBe(0);
  });

  it('keeps the reason when the page reports its own idle lock, and forgets it at a plain sign-out', async () => {
    const session = createOperatorSession({ operators: fakeOperators(), idleLockMs: () => MINUTE, ...fakeTime() });
    await session.signIn('tom', '4711');
    expect(session.signOut(true)).toEqual({ claimed: true, idleLockMs: MINUTE, ended: 'idle' });
    expect(session.signOut(true)).toEqual({ claimed: true, idleLockMs: MINUTE, ended: 'idle' });
    expect(session.signOut()).toEqual({ claimed: true, idleLockMs: MINUTE });
  });

  it('refuses a second sign-in while one is under way in the same window', async () => {
    const operators = fakeOperators();
    const session = createOperatorSession({ operators, idleLockMs: () => MINUTE, ...fakeTime() });
    const first = session.signIn('slow', '4711');
    await expect(session.signIn('tom', '4711')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    operators.release?.();
    expect(await first).toMatchObject({ operator: { name: 'slow' } });
  });

  it('touches without effect when nobody is signed in, and leaves no timer once closed', async () => {
    const time = fakeTime();
    const session = createOperatorSession({ operators: fakeOperators(), idleLockMs: () => MINUTE, now: time.now, setTimer: time.setTimer });
    expect(session.touch()).toEqual({ claimed: true, idleLockMs: MINUTE });
    expect(session.mayListen()).toBe(false);
    await session.signIn('tom', '4711');
    expect(session.mayListen()).toBe(true);
    expect(time.pending()).toBe(1);
    session.close();
    expect(time.pending()).toBe(0);
    expect(session.mayListen()).toBe(false);
  });
});
