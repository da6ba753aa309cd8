/**
 * Where the UI is: a hash route (`#/devices`, `#/runs/<id>`), so links are real links, the Back key works, and no
 * navigation ever leaves the page (in-page hash changes are not navigations Electron's guard has to refuse).
 */
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import { LIMITS } from '../../../main/contract/bounds';

export type Route =
  | { readonly screen: 'devices' }
  | { readonly screen: 'runs' }
  | { readonly screen: 'run'; readonly runId: string }
  | { readonly screen: 'report'; readonly runId: string }
  | { readonly screen: 'profiles' }
  | { readonly screen: 'queue' }
  | { readonly screen: 'drift' }
  /** A gateway's page on a service visit: `#/service/<device id, URI-encoded>` (ids hold slashes and colons). */
  | { readonly screen: 'device'; readonly deviceId: string }
  | { readonly screen: 'station' }
  /** The line's full-screen operator view (issue #17): no navigation, tiles only. */
  | { readonly screen: 'operator' }
  /** The environment doctor (issue #17): each check, what it found and the fix. */
  | { readonly screen: 'doctor' }
  | { readonly screen: 'settings' };

export type Screen = Route['screen'];

const SIMPLE = ['devices', 'station', 'operator', 'runs', 'profiles', 'queue', 'drift', 'doctor', 'settings'] as const;
const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A device id as deviceIdSchema bounds it; anything else is not one. */
function deviceIdOf(encoded: string): string | undefined {
  try {
    const id = decodeURIComponent(encoded);
    return id !== '' && id.length <= LIMITS.id ? id : undefined;
  } catch {
    return undefined; // a malformed escape: the Service visit screen instead
  }
}

export function parseHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const [first, id, extra] = parts;
  if (first === 'service') {
    const deviceId = id && parts.length === 2 ? deviceIdOf(id) : undefined;
    return deviceId ? { screen: 'device', deviceId } : { screen: 'drift' };
  }
  if (first === 'runs' && id && RUN_ID.test(id)) return extra === 'report' ? { screen: 'report', runId: id } : { screen: 'run', runId: id };
  const simple = SIMPLE.find((s) => s === first);
  return simple ? { screen: simple } : { screen: 'devices' };
}

export function routeHash(route: Route): string {
  switch (route.screen) {
    case 'run':
      return `#/runs/${route.runId}`;
    case 'report':
      return `#/runs/${route.runId}/report`;
    case 'device':
      return `#/service/${encodeURIComponent(route.deviceId)}`;
    default:
      return `#/${route.screen}`;
  }
}

export interface NavState {
  readonly route: Route;
  setRoute(route: Route): void;
}

export function createNavStore(initial: Route = { screen: 'devices' }) {
  return createStore<NavState>()((set) => ({
    route: initial,
    setRoute: (route) => set((s) => (routeHash(s.route) === routeHash(route) ? s : { route })),
  }));
}

export const navStore = createNavStore();

export function useNav<T>(selector: (s: NavState) => T): T {
  return useStore(navStore, selector);
}
