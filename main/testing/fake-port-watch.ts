/** A PortWatch the test drives: plug() and unplug() announce ports as a hot-plug scan would. */
import type { PortWatch, PortWatchEvents, WatchedPort } from '../station/port-watch';

export interface FakePortWatch extends PortWatch {
  plug(port: WatchedPort): void;
  unplug(path: string): void;
}

export function fakePortWatch(): FakePortWatch {
  const known = new Map<string, WatchedPort>();
  const ls = { attached: new Set<PortWatchEvents['attached']>(), detached: new Set<PortWatchEvents['detached']>() };
  return {
    start: async () => {},
    stop: () => {},
    scan: async () => {},
    list: () => [...known.values()],
    on(event, l) {
      (ls[event] as Set<typeof l>).add(l);
      return () => void (ls[event] as Set<typeof l>).delete(l);
    },
    plug(p) {
      known.set(p.path, p);
      for (const l of ls.attached) l(p);
    },
    unplug(path) {
      const p = known.get(path);
      if (!p) return;
      known.delete(path);
      for (const l of ls.detached) l(p);
    },
  };
}
