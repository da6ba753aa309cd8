/**
 * The doctor's probes of the station itself, answered from the core: the CA (never unlocked with anything but a
 * secret the caller hands over), the registry (two requests, each with a timeout), the store and the profile library.
 * Nothing here creates a store that does not exist yet.
 */
import { existsSync } from 'node:fs';
import { caInfo } from '../../pki/station-ca';
import { checkBeforeOpen } from '../../store/marker';
import { storeFilePath } from '../../store/file';
import type { Core } from '../core';
import type { CaProbe, ProfileProbe, RegistryProbe, StationProbes, StoreProbe } from './probes';

const REQUEST_TIMEOUT_MS = 2000;
/** A library this large is checked in part; the warning names what it saw. */
const MAX_PROFILES_CHECKED = 200;
/** An authenticated GET any registry answers after checking the token: 404 for a serial it does not know. */
const TOKEN_PROBE_PATH = '/v1/devices/fieldline-doctor-probe';

export interface StationProbeOptions {
  /** How a locked CA gets unlocked here: the CLI asks when a run needs it, the app in Settings. */
  unlock: 'prompt' | 'settings';
  /** A passphrase (file key) or PIN (PKCS#11) at hand, tried once when the CA is locked (the CLI's environment). */
  secretAtHand?: (keyStore: 'file' | 'pkcs11') => string | undefined;
  fetch?: typeof fetch;
  now?: () => number;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

async function caProbe(core: Pick<Core, 'dataDir' | 'ca'>, options: StationProbeOptions): Promise<CaProbe> {
  let info: Awaited<ReturnType<typeof caInfo>>;
  try {
    info = await caInfo(core.dataDir);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'CA_NOT_INITIALIZED') return { initialized: false, ready: false, unlock: options.unlock };
    return { initialized: true, ready: false, unlock: options.unlock, readError: message(err) };
  }
  const base = { initialized: true, ready: core.ca.ready, notAfter: info.intermediate.notAfter };
  if (base.ready) return { ...base, unlock: options.unlock };
  const secret = options.secretAtHand?.(info.key.store);
  if (!secret) return { ...base, unlock: options.unlock };
  try {
    await core.ca.unlock(secret);
    return { ...base, unlock: 'tried' };
  } catch (err) {
    return { ...base, unlock: 'tried', unlockError: message(err) };
  }
}

async function registryProbe(core: Pick<Core, 'settings'>, options: StationProbeOptions): Promise<RegistryProbe> {
  const settings = await core.settings();
  const connection = await settings.registry();
  if (!connection) {
    const url = await settings.registryUrl();
    return url ? { configured: false, urlWithoutToken: url } : { configured: false };
  }
  const doFetch = options.fetch ?? fetch;
  const base = connection.url.replace(/\/+$/, '');
  const now = options.now ?? Date.now;
  const request = async (path: string, headers: Record<string, string>): Promise<Response> => {
    const response = await doFetch(base + path, { headers, redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    await response.body?.cancel().catch(() => undefined);
    return response;
  };
  const health = async (): Promise<Extract<RegistryProbe, { configured: true }>['health']> => {
    const sentAt = now();
    try {
      const response = await request('/v1/health', { accept: 'application/json' });
      return { status: response.status, date: response.headers.get('date'), sentAt, receivedAt: now() };
    } catch (err) {
      return { error: requestError(err) };
    }
  };
  const auth = async (): Promise<Extract<RegistryProbe, { configured: true }>['auth']> => {
    // Settings gives a token only for its own URL's origin; checked again where the header is written, as the client does.
    if (new URL(base).origin !== connection.token.origin) return { error: 'the token was given for another registry' };
    try {
      return { status: (await request(TOKEN_PROBE_PATH, { accept: 'application/json', authorization: `Bearer ${connection.token.value}` })).status };
    } catch (err) {
      return { error: requestError(err) };
    }
  };
  const [h, a] = await Promise.all([health(), auth()]);
  return { configured: true, url: base, health: h, auth: a };
}

function requestError(err: unknown): string {
  if ((err as Error).name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS} ms`;
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? message(err);
}

async function storeProbe(core: Pick<Core, 'dataDir' | 'store'>): Promise<StoreProbe | undefined> {
  const file = storeFilePath(core.dataDir);
  if (!existsSync(file)) {
    try {
      // A store that held runs and is gone now is a failure; one never made is not.
      checkBeforeOpen(file);
      return undefined;
    } catch (err) {
      return { quickCheck: { error: message(err) }, audit: { error: message(err) } };
    }
  }
  try {
    const store = core.store();
    // quick_check(N) stops after N problems: the report needs the first few, and the run stays bounded.
    const rows = store.db.pragma('quick_check(20)') as { quick_check: string }[];
    let audit: StoreProbe['audit'];
    try {
      audit = store.verifyAudit();
    } catch (err) {
      audit = { error: message(err) };
    }
    return { quickCheck: rows.map((r) => String(r.quick_check)), audit };
  } catch (err) {
    return { quickCheck: { error: message(err) }, audit: { error: message(err) } };
  }
}

async function profilesProbe(core: Pick<Core, 'profiles'>): Promise<ProfileProbe[]> {
  const library = core.profiles();
  const items = (await library.list()).filter((p) => p.problems === 0).slice(0, MAX_PROFILES_CHECKED);
  const loaded = await Promise.all(
    items.map(async (item) => {
      try {
        const { profile } = await library.load(item.path);
        return { name: item.name || item.fileName, firmware: profile.firmware !== undefined, signingKeys: profile.firmware?.signingKeys?.length ?? 0 };
      } catch {
        // Refused by the station's signature policy or broken since it was listed: the profile screens say why.
        return undefined;
      }
    }),
  );
  return loaded.filter((p): p is ProfileProbe => p !== undefined);
}

export function stationProbes(core: Pick<Core, 'dataDir' | 'ca' | 'settings' | 'store' | 'profiles'>, options: StationProbeOptions): StationProbes {
  return {
    now: options.now ?? Date.now,
    ca: () => caProbe(core, options),
    registry: () => registryProbe(core, options),
    store: () => storeProbe(core),
    profiles: () => profilesProbe(core),
  };
}
