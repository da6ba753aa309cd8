/**
 * Signing in and out of this window, and the idle lock (issue #14). The Node side ends an idle operator's session by
 * itself (a stale tab cannot act); this side locks the screen at the same time, from the user's own input — keys,
 * clicks, the wheel — which it reports as `session:touch`, at most every TOUCH_EVERY_MS (background reads never count,
 * or a screen left open would never lock). Time and the timer are injected: tests move the clock.
 */
import type { SessionState, Unsubscribe } from '../../../main/contract/api';
import { sessionStore } from '../state/session';
import { api } from './api';
import { call } from './call';

/** Longest gap between two touches while the user is active (a quarter of the idle lock when that is shorter). */
export const TOUCH_EVERY_MS = 30_000;

/**
 * This window's session. Asked without an alert: a station without sessions simply has none, and whatever it serves
 * checks every call itself.
 */
export async function loadSession(): Promise<SessionState | undefined> {
  let result;
  try {
    result = await api().invoke['session:get']();
  } catch {
    return undefined;
  }
  if (!result.ok) return undefined;
  sessionStore.getState().setSession(result.value);
  return result.value;
}

export async function signIn(name: string, secret: string): Promise<boolean> {
  const store = sessionStore.getState();
  if (store.signingIn) return false;
  store.setSigningIn(true);
  try {
    const result = await call('Sign in', api().invoke['session:sign-in']({ name: name.trim(), secret }));
    if (result.ok) sessionStore.getState().setSession(result.value);
    return result.ok;
  } finally {
    sessionStore.getState().setSigningIn(false);
  }
}

export async function signOut(): Promise<void> {
  const result = await call('Sign out', api().invoke['session:sign-out']());
  if (result.ok) sessionStore.getState().setSession(result.value);
}

/** Where the user's input is heard (the window). */
export interface ActivitySource {
  addEventListener(type: string, listener: () => void, options?: { capture?: boolean; passive?: boolean }): void;
  removeEventListener(type: string, listener: () => void, options?: { capture?: boolean }): void;
}

export interface IdleLockOptions {
  activity: ActivitySource;
  /** Monotonic milliseconds (default performance.now). */
  now?: () => number;
  /** Calls `fire` once after `ms`; returns the function that cancels it (default setTimeout). */
  setTimer?: (ms: number, fire: () => void) => () => void;
}

const ACTIVITY_EVENTS = ['keydown', 'pointerdown', 'wheel', 'touchstart'] as const;

/** Locks the screen after the session's idle time without input; returns the function that stops watching. */
export function startIdleLock(options: IdleLockOptions): Unsubscribe {
  const now = options.now ?? (() => performance.now());
  const setTimer =
    options.setTimer ??
    ((ms: number, fire: () => void) => {
      const handle = setTimeout(fire, ms);
      return () => clearTimeout(handle);
    });
  let lastActive = now();
  let lastTouch = now();
  let cancel: (() => void) | undefined;

  const session = (): SessionState | undefined => sessionStore.getState().session;
  const signedIn = (): boolean => session()?.operator !== undefined;
  const idleMs = (): number => session()?.idleLockMs ?? Number.POSITIVE_INFINITY;

  const lock = (): void => {
    const current = session();
    if (!current?.operator) return;
    // The screen locks now, whether or not the station answers; the station ends the session by itself anyway.
    sessionStore.getState().setSession({ claimed: current.claimed, idleLockMs: current.idleLockMs, ended: 'idle' });
    void api().invoke['session:sign-out']({ idle: true });
  };

  const arm = (): void => {
    cancel?.();
    cancel = undefined;
    if (!signedIn()) return;
    cancel = setTimer(Math.max(0, lastActive + idleMs() - now()), () => {
      cancel = undefined;
      if (now() - lastActive >= idleMs()) lock();
      else arm();
    });
  };

  const onActivity = (): void => {
    if (!signedIn()) return;
    lastActive = now();
    if (lastActive - lastTouch >= Math.min(TOUCH_EVERY_MS, idleMs() / 4)) {
      lastTouch = lastActive;
      void api()
        .invoke['session:touch']()
        .then((result) => {
          if (result.ok) sessionStore.getState().setSession(result.value);
        });
    }
    arm();
  };

  for (const type of ACTIVITY_EVENTS) options.activity.addEventListener(type, onActivity, { capture: true, passive: true });
  const offSession = sessionStore.subscribe((state, prev) => {
    const who = state.session?.operator?.name;
    if (who === prev.session?.operator?.name && state.session?.idleLockMs === prev.session?.idleLockMs) return;
    // A sign-in counts as activity on both sides.
    if (who !== undefined && prev.session?.operator?.name !== who) lastActive = lastTouch = now();
    arm();
  });
  arm();
  return () => {
    cancel?.();
    offSession();
    for (const type of ACTIVITY_EVENTS) options.activity.removeEventListener(type, onActivity, { capture: true });
  };
}
