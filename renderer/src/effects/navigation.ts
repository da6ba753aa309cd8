/** Moving between screens: the hash is the truth; the nav store follows it. */
import { navStore, parseHash, routeHash, type Route } from '../state/nav';

export function navigate(route: Route): void {
  navStore.getState().setRoute(route);
  if (typeof window !== 'undefined' && window.location.hash !== routeHash(route)) window.location.hash = routeHash(route);
}

/** Follows the address bar's hash (links, Back, Forward). Returns the unsubscribe function. */
export function startRouting(win: Window): () => void {
  const follow = (): void => navStore.getState().setRoute(parseHash(win.location.hash));
  follow();
  win.addEventListener('hashchange', follow);
  return () => win.removeEventListener('hashchange', follow);
}
