/**
 * One window's or one browser tab's operator (issue #14): who signed in, and the idle lock that signs them out.
 * Every call of that window reaches the core through `authorize` (main/core/method-permissions.ts wraps the
 * handlers with it), which hands this session's operator to the core's one permission check — the transport
 * (ipcMain, the WebSocket) never decides anything itself.
 *
 * The idle lock is kept here, on the Node side, not only in the page: a tab left open, or a script that signed in
 * once, cannot act once the idle time has passed since the last sign-in or `session:touch` (the UI touches on the
 * user's own input; its background reads do not count, or a screen left open would never lock). Time and the timer
 * are injected, so tests move the clock instead of waiting.
 */
import type { Unsubscribe } from '../contract/api';
import type { Permission, SignedIn } from '../contract/operators';
import type { SessionState } from '../contract/session';
import type { OperatorService, SignedInOperator } from '../core/operators';
import { FieldlineError, isFieldlineError } from '../errors';

/** What a session needs of the core's operators: sign-in, what to show, and the one permission check. */
export type SessionOperators = Pick<OperatorService, 'claimed' | 'signIn' | 'authorize' | 'signedIn'>;

/** Calls `fire` once after `ms`; the returned function cancels it. */
export type SetTimer = (ms: number, fire: () => void) => () => void;

export const systemTimer: SetTimer = (ms, fire) => {
  const handle = setTimeout(fire, ms);
  // A pending idle lock must not keep a CLI-started station or a test process alive.
  handle.unref?.();
  return () => clearTimeout(handle);
};

export interface OperatorSessionOptions {
  operators: SessionOperators;
  /** The idle lock in force (a station setting, read at each use so a change applies to the next touch). */
  idleLockMs: () => number;
  /** Monotonic milliseconds (default performance.now): a wall clock set back must not extend a session. */
  now?: () => number;
  setTimer?: SetTimer;
}

export interface OperatorSession {
  state(): SessionState;
  /** Signs in (replacing whoever was); a wrong name or secret leaves the session as it was and counts in the core. */
  signIn(name: string, secret: string): Promise<SessionState>;
  /** `idle`: signed out by the idle lock (the page's, which may notice it first): the state says so. */
  signOut(idle?: boolean): SessionState;
  /** The user is active: the idle lock counts again from now. */
  touch(): SessionState;
  /** The core's check for one call of this session; returns the audit actor when someone is signed in. */
  authorize(permission: Permission, action: string): string | undefined;
  /** Who this session's audit entries name (`operator:NAME`); undefined when nobody is signed in. */
  actor(): string | undefined;
  /** Contract events may go to this session: the station is unclaimed, or someone is signed in. */
  mayListen(): boolean;
  /** Told each time the operator changes (sign-in, sign-out, idle lock, disabled), with the new state. */
  onChange(listener: (state: SessionState) => void): Unsubscribe;
  close(): void;
}

export function createOperatorSession(options: OperatorSessionOptions): OperatorSession {
  const { operators } = options;
  const now = options.now ?? (() => performance.now());
  const setTimer = options.setTimer ?? systemTimer;
  const listeners = new Set<(state: SessionState) => void>();
  let operator: SignedInOperator | undefined;
  let ended: SessionState['ended'];
  let lastActive = 0;
  let cancelTimer: (() => void) | undefined;
  let signingIn = false;
  let closed = false;

  /** The operator as the store has them now; one disabled since signing in is signed out here. */
  const shown = (): SignedIn | undefined => {
    if (!operator) return undefined;
    try {
      return operators.signedIn(operator);
    } catch (err) {
      if (!isFieldlineError(err, 'OPERATOR_DISABLED') && !isFieldlineError(err, 'OPERATOR_SIGN_IN_REQUIRED')) throw err;
      cancelTimer?.();
      cancelTimer = undefined;
      operator = undefined;
      ended = 'disabled';
      return undefined;
    }
  };

  const state = (): SessionState => {
    const who = shown();
    return { claimed: operators.claimed(), ...(who ? { operator: who } : {}), idleLockMs: options.idleLockMs(), ...(ended ? { ended } : {}) };
  };

  const changed = (): void => {
    const next = state();
    for (const listener of [...listeners]) listener(next);
  };

  const end = (reason: SessionState['ended']): void => {
    cancelTimer?.();
    cancelTimer = undefined;
    if (!operator) return;
    operator = undefined;
    ended = reason;
    changed();
  };

  const idleFor = (): number => now() - lastActive;

  /** Arms the idle lock for what is left of the idle time (the setting may have changed since the last touch). */
  const arm = (): void => {
    cancelTimer?.();
    if (!operator || closed) return;
    const left = options.idleLockMs() - idleFor();
    cancelTimer = setTimer(Math.max(0, left), () => {
      cancelTimer = undefined;
      if (idleFor() >= options.idleLockMs()) end('idle');
      else arm();
    });
  };

  const active = (): void => {
    lastActive = now();
    arm();
  };

  return {
    state,
    async signIn(name, secret) {
      // One at a time: each attempt costs the core a slow hash, and a page has no reason to send two.
      if (signingIn) throw new FieldlineError('INVALID_ARGUMENT', 'a sign-in is already under way in this window');
      signingIn = true;
      try {
        const who = await operators.signIn(name, secret);
        if (closed) return state();
        operator = who;
        ended = undefined;
        active();
        changed();
        return state();
      } finally {
        signingIn = false;
      }
    },
    signOut(idle = false) {
      end(idle ? 'idle' : undefined);
      if (!idle) ended = undefined;
      return state();
    },
    touch() {
      if (operator) {
        if (idleFor() >= options.idleLockMs()) end('idle');
        else active();
      }
      return state();
    },
    authorize(permission, action) {
      // The timer may be late (a busy event loop, a suspended laptop): the time itself decides.
      if (operator && idleFor() >= options.idleLockMs()) end('idle');
      try {
        return operators.authorize(operator, permission, action);
      } catch (err) {
        // Disabled since signing in: the session ends, so the page shows the sign-in screen and says why.
        if (isFieldlineError(err, 'OPERATOR_DISABLED')) end('disabled');
        throw err;
      }
    },
    actor: () => (operator ? `operator:${operator.name}` : undefined),
    mayListen: () => {
      if (operator !== undefined) return true;
      try {
        return !operators.claimed();
      } catch {
        // The store cannot say whether the station has operators: nothing goes out rather than everything.
        return false;
      }
    },
    onChange(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    close() {
      closed = true;
      cancelTimer?.();
      cancelTimer = undefined;
      operator = undefined;
      listeners.clear();
    },
  };
}
