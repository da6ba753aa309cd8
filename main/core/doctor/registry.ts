/**
 * The registry: reachable, the station's token accepted, and this machine's clock within 2 minutes of the registry's
 * `Date` header. The clock matters because certificates are issued from it: a laptop an hour fast hands devices
 * certificates that are "not yet valid" to everyone else. One probe (two requests) answers all three checks.
 */
import { fail, once, pass, skip, warn, type CheckDefinition } from './check';
import type { StationProbes } from './probes';

/** The tolerance for this machine's clock against the registry's. */
export const CLOCK_TOLERANCE_MS = 2 * 60 * 1000;
const LOGIN = (url: string): string => `fieldline registry login ${url} (with a station token from the registry's administrator)`;
const NOT_CONFIGURED = 'no registry configured: finished runs wait in the queue';
const CONFIGURE = 'fieldline registry login <url> (or Settings → Registry)';

export function registryChecks(probes: Pick<StationProbes, 'registry'>): CheckDefinition[] {
  const registry = once(() => probes.registry());
  return [
    {
      id: 'registry.reachable',
      title: 'Registry reachable',
      async run() {
        const r = await registry();
        if (!r.configured) return r.urlWithoutToken ? warn(`${r.urlWithoutToken} is set, without a token for it`, LOGIN(r.urlWithoutToken)) : skip(NOT_CONFIGURED, CONFIGURE);
        if ('error' in r.health) return fail(`${r.url} did not answer: ${r.health.error}`, `check the network and the URL; to change it: ${LOGIN('<url>')}`);
        const ms = Math.round(r.health.receivedAt - r.health.sentAt);
        if (r.health.status !== 200) return fail(`${r.url}/v1/health answered HTTP ${r.health.status}: is this a Fieldline registry?`, `check the URL; to change it: ${LOGIN('<url>')}`);
        return pass(`${r.url} answered in ${ms} ms`);
      },
    },
    {
      id: 'registry.token',
      title: 'Registry accepts the station token',
      async run() {
        const r = await registry();
        if (!r.configured) return r.urlWithoutToken ? fail(`no station token for ${r.urlWithoutToken}: every sync is refused`, LOGIN(r.urlWithoutToken)) : skip(NOT_CONFIGURED, CONFIGURE);
        if ('error' in r.auth) return skip(`not checked: the registry did not answer (${r.auth.error})`, 'see "Registry reachable"');
        const { status } = r.auth;
        if (status === 401 || status === 403) return fail(`the registry refused the station token (HTTP ${status})`, LOGIN(r.url));
        // 404 is the registry saying it has no such device — after accepting the token.
        if ((status >= 200 && status < 300) || status === 404) return pass('the registry accepted the station token');
        return warn(`an authenticated request answered HTTP ${status}, so the token could not be judged`, 'run fieldline doctor again; if it stays, ask the registry’s administrator');
      },
    },
    {
      id: 'registry.clock',
      title: 'Clock within 2 minutes of the registry',
      async run() {
        const r = await registry();
        if (!r.configured) return skip('no registry to compare this machine’s clock with', CONFIGURE);
        if ('error' in r.health) return skip(`not checked: the registry did not answer (${r.health.error})`, 'see "Registry reachable"');
        const date = r.health.date === null ? NaN : Date.parse(r.health.date);
        if (Number.isNaN(date)) return warn('the registry sent no usable Date header, so this machine’s clock could not be compared', 'make sure this machine’s clock is synchronised: sudo timedatectl set-ntp true');
        // The header was written somewhere between sending and receiving, to the second.
        const local = (r.health.sentAt + r.health.receivedAt) / 2;
        const slack = (r.health.receivedAt - r.health.sentAt) / 2 + 1000;
        const skew = local - date;
        const words = `${Math.round(Math.abs(skew) / 1000)} s ${skew > 0 ? 'ahead of' : 'behind'} the registry’s`;
        if (Math.abs(skew) - slack > CLOCK_TOLERANCE_MS) {
          return fail(`this machine’s clock is ${words}: certificates issued now are “not yet valid” or already old elsewhere`, 'synchronise the clock: sudo timedatectl set-ntp true (Windows: Settings → Time → Sync now)');
        }
        return pass(`this machine’s clock is within ${Math.max(1, Math.round(Math.abs(skew) / 1000))} s of the registry’s`);
      },
    },
  ];
}
