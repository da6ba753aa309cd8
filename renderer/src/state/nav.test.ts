import { describe, expect, it } from 'vitest';
import { RUN_A } from '../testing/samples';
import { createNavStore, parseHash, routeHash } from './nav';

describe('hash routes', () => {
  it('parses every screen and round-trips', () => {
    for (const hash of ['#/devices', '#/operator', '#/runs', '#/profiles', '#/queue', '#/drift', '#/settings', `#/runs/${RUN_A}`, `#/runs/${RUN_A}/report`]) {
      expect(routeHash(parseHash(hash))).toBe(hash);
    }
  });

  it('falls back to Devices for empty, unknown or malformed hashes', () => {
    expect(parseHash('')).toEqual({ screen: 'devices' });
    expect(parseHash('#/nope')).toEqual({ screen: 'devices' });
    expect(parseHash('#/runs/not-a-uuid')).toEqual({ screen: 'runs' });
  });

  it('a device page names its device by the URI-encoded id, and falls back to Service visit', () => {
    const route = { screen: 'device', deviceId: 'serial:/dev/pts/3' } as const;
    expect(routeHash(route)).toBe('#/service/serial%3A%2Fdev%2Fpts%2F3');
    expect(parseHash(routeHash(route))).toEqual(route);
    expect(parseHash('#/service/ble%3Aaa%3Abb')).toEqual({ screen: 'device', deviceId: 'ble:aa:bb' });
    expect(parseHash('#/service/%E0%A4%A')).toEqual({ screen: 'drift' });
    expect(parseHash(`#/service/${'x'.repeat(257)}`)).toEqual({ screen: 'drift' });
    expect(parseHash('#/service')).toEqual({ screen: 'drift' });
  });

  it('does not notify when the route did not change', () => {
    const store = createNavStore();
    const before = store.getState();
    store.getState().setRoute({ screen: 'devices' });
    expect(store.getState()).toBe(before);
    store.getState().setRoute({ screen: 'run', runId: RUN_A });
    expect(store.getState().route).toEqual({ screen: 'run', runId: RUN_A });
  });
});
