/**
 * This window's operator (issue #14) as the Node side reports it, and what the UI may offer them. Hiding a button is a
 * courtesy: the core checks every call whatever the page shows.
 */
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { SessionState } from '../../../main/contract/api';
import type { Permission } from '../../../main/contract/operators';

export interface SessionStoreState {
  /** Undefined until the first answer (and on a station too old to have sessions). */
  readonly session: SessionState | undefined;
  /** A sign-in is under way. */
  readonly signingIn: boolean;
  setSession(session: SessionState): void;
  setSigningIn(on: boolean): void;
}

export function createSessionStore() {
  return createStore<SessionStoreState>()((set) => ({
    session: undefined,
    signingIn: false,
    setSession: (session) => set({ session }),
    setSigningIn: (signingIn) => set({ signingIn }),
  }));
}

export const sessionStore = createSessionStore();

export function useSession<T>(selector: (s: SessionStoreState) => T): T {
  return useStore(sessionStore, selector);
}

/** The station has operators and nobody is signed in here: the sign-in screen is all there is. */
export function mustSignIn(session: SessionState | undefined): boolean {
  return session !== undefined && session.claimed && session.operator === undefined;
}

/** Whether to offer what needs `permission`: always on a station without operators (nobody signs in there). */
export function allows(session: SessionState | undefined, permission: Permission): boolean {
  if (session === undefined || !session.claimed) return true;
  return session.operator?.permissions.includes(permission) ?? false;
}
