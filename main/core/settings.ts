/**
 * The station's settings as the UI sees them. Where each lives, and why:
 *   operator      <dataDir>/station.json — who is at the station, written into the audit log of each UI action
 *   printer       <dataDir>/station.json — the label printer (host:port) of the line and of Print label
 *   bleAdapter    <dataDir>/station.json — the Bluetooth adapter chosen in Settings (system | virtual), if any
 *   idleLock      <dataDir>/station.json — minutes without activity after which an operator is signed out
 *   fixtureLabels <dataDir>/station.json — where a gateway is plugged in (USB hub port path) → its fixture label:
 *                 the hub belongs to this station, so the mapping does too
 *   operatorSound <dataDir>/station.json — the operator view's pass/fail tones
 *   registry URL  <dataDir>/registry.json — the same file `fieldline registry login` writes, so the CLI and the
 *                 app drain one queue to one registry
 *   token         the SecretStore (safeStorage on the desktop, the owner-only registry-token file otherwise),
 *                 with the origin it was given for (sync/registry-token.ts); write-only: only whether the
 *                 registry has one ever leaves this module. A URL on another origin drops it: the token of one
 *                 registry is never sent to another, and Settings asks for the new registry's token.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { FixtureLabelsSchema, type FixtureLabels } from '../contract/fixtures';
import { IDLE_LOCK_MINUTES, IdleLockMinutesSchema } from '../contract/session';
import { FieldlineError } from '../errors';
import { isLoopbackUrl, normalizeRegistryUrl, REGISTRY_CONFIG_FILE } from '../sync/registry-config';
import { bindToken, decodeBoundToken, encodeBoundToken, originOf, tokenFits, type BoundToken } from '../sync/registry-token';
import { createFileSecretStore, writePrivateFile, type SecretStore } from './secrets';

const STATION_FILE = 'station.json';
const stationFileSchema = z
  .object({
    operator: z.string().max(200).optional(),
    printer: z.string().max(300).optional(),
    // An unknown value (a newer version's adapter kind) is ignored, not a reason to lose the whole file.
    bleAdapter: z.enum(['system', 'virtual']).optional().catch(undefined),
    // Out of bounds (edited by hand): the default, rather than a lock that never comes or comes at once.
    idleLockMinutes: IdleLockMinutesSchema.optional().catch(undefined),
    // Edited by hand into something invalid (two positions with one label): none, rather than a wrong tile name.
    fixtureLabels: FixtureLabelsSchema.optional().catch(undefined),
    operatorSound: z.boolean().optional().catch(undefined),
  })
  .passthrough();
/** registry.json as `fieldline registry login` writes it; fields this module does not know are kept. */
const registryFileSchema = z.object({ url: z.string(), station: z.string().optional() }).passthrough();

export interface RegistryConnection {
  url: string;
  /** Bound to `url`'s origin; the registry client checks it again at every request. */
  token: BoundToken;
}

export interface StationSettings {
  operator(): string;
  setOperator(name: string): Promise<void>;
  /** The label printer, `host[:port]`; undefined: none (labels go to files). */
  printer(): string | undefined;
  setPrinter(printer: string | undefined): Promise<void>;
  /** The Bluetooth adapter chosen in Settings; undefined: not chosen (the environment or the default decides). */
  bleAdapter(): 'system' | 'virtual' | undefined;
  setBleAdapter(adapter: 'system' | 'virtual' | undefined): Promise<void>;
  /** Minutes without activity before a signed-in operator is signed out (IDLE_LOCK_MINUTES bounds it). */
  idleLockMinutes(): number;
  setIdleLockMinutes(minutes: number): Promise<void>;
  /** Fixture positions: location → label (contract/fixtures.ts). */
  fixtureLabels(): FixtureLabels;
  setFixtureLabels(labels: FixtureLabels): Promise<void>;
  operatorSound(): boolean;
  setOperatorSound(on: boolean): Promise<void>;
  registryUrl(): Promise<string | undefined>;
  /** The name the registry knows this station by (learned at `fieldline registry login`), if any. */
  registryStation(): Promise<string | undefined>;
  /** Whether the registry URL has its token (one given for that URL's origin). */
  tokenSet(): Promise<boolean>;
  /**
   * URL and token, or undefined when either is missing or the token was given for another origin. The token goes to
   * the registry client and nowhere else.
   */
  registry(): Promise<RegistryConnection | undefined>;
  /** Without a token, the stored one is kept only when `url` has its origin; otherwise it is deleted. */
  setRegistry(url: string, token?: string): Promise<void>;
}

async function readJson<T extends z.ZodType>(file: string, schema: T): Promise<z.output<T> | undefined> {
  if (!existsSync(file)) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    // A damaged settings file must not stop the station: it is treated as absent and rewritten on the next change.
    return undefined;
  }
}

function defaultOperator(): string {
  try {
    return userInfo().username || 'operator';
  } catch {
    return 'operator';
  }
}

export async function openStationSettings(dataDir: string, secrets: SecretStore): Promise<StationSettings> {
  const stationFile = join(dataDir, STATION_FILE);
  const registryFile = join(dataDir, REGISTRY_CONFIG_FILE);
  // The CLI's plain token file, read when the secret store is another one (the desktop's safeStorage) and holds none.
  const cliTokens = createFileSecretStore(dataDir);
  const station = await readJson(stationFile, stationFileSchema);
  let operator = station?.operator || defaultOperator();
  let printer = station?.printer || undefined;
  let bleAdapter = station?.bleAdapter;
  let idleLockMinutes = station?.idleLockMinutes ?? IDLE_LOCK_MINUTES.default;
  let fixtureLabels: FixtureLabels = station?.fixtureLabels ?? {};
  let operatorSound = station?.operatorSound ?? false;

  const url = async (): Promise<string | undefined> => {
    const raw = (await readJson(registryFile, registryFileSchema))?.url;
    try {
      return raw ? normalizeRegistryUrl(raw) : undefined;
    } catch {
      return undefined;
    }
  };
  const tokenStores = [secrets, cliTokens];
  /**
   * One store's token with its origin. An older version's bare token is bound to `current`, the URL registry.json
   * has now (it was given for that one), and stored again in the bound form.
   */
  const storedToken = async (store: SecretStore, current: string | undefined): Promise<BoundToken | undefined> => {
    const stored = await store.get('registry-token');
    const decoded = stored === undefined ? undefined : decodeBoundToken(stored, current);
    if (decoded?.legacy) await store.set('registry-token', encodeBoundToken(decoded.token));
    return decoded?.token;
  };
  /** The token given for the registry at `u` (the desktop's own first, then the CLI's), if any. */
  const tokenFor = async (u: string | undefined): Promise<BoundToken | undefined> => {
    if (u === undefined) return undefined;
    for (const store of tokenStores) {
      const t = await storedToken(store, u);
      if (t && tokenFits(t, u)) return t;
    }
    return undefined;
  };

  /**
   * Sets (or, with undefined, removes) one field of station.json and keeps every other field as the file has it —
   * also a value this version does not understand (a newer version's adapter kind), which the schema would drop.
   */
  const writeStationField = async (
    key: 'operator' | 'printer' | 'bleAdapter' | 'idleLockMinutes' | 'fixtureLabels' | 'operatorSound',
    value: string | number | boolean | FixtureLabels | undefined,
  ): Promise<void> => {
    const current = await readJson(stationFile, z.record(z.string(), z.unknown()));
    const next: Record<string, unknown> = { ...current };
    delete next[key];
    if (value !== undefined) next[key] = value;
    await writePrivateFile(stationFile, JSON.stringify(next, null, 2) + '\n');
  };

  return {
    operator: () => operator,
    async setOperator(name) {
      await writeStationField('operator', name);
      operator = name;
    },
    printer: () => printer,
    async setPrinter(next) {
      await writeStationField('printer', next || undefined);
      printer = next;
    },
    bleAdapter: () => bleAdapter,
    async setBleAdapter(next) {
      await writeStationField('bleAdapter', next);
      bleAdapter = next;
    },
    idleLockMinutes: () => idleLockMinutes,
    async setIdleLockMinutes(minutes) {
      if (!IdleLockMinutesSchema.safeParse(minutes).success) {
        throw new FieldlineError('INVALID_ARGUMENT', `the idle lock is a whole number of minutes, ${IDLE_LOCK_MINUTES.min}–${IDLE_LOCK_MINUTES.max}`);
      }
      await writeStationField('idleLockMinutes', minutes);
      idleLockMinutes = minutes;
    },
    fixtureLabels: () => ({ ...fixtureLabels }),
    async setFixtureLabels(labels) {
      const parsed = FixtureLabelsSchema.safeParse(labels);
      if (!parsed.success) throw new FieldlineError('INVALID_ARGUMENT', `fixture labels: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      await writeStationField('fixtureLabels', Object.keys(parsed.data).length > 0 ? parsed.data : undefined);
      fixtureLabels = parsed.data;
    },
    operatorSound: () => operatorSound,
    async setOperatorSound(on) {
      await writeStationField('operatorSound', on || undefined);
      operatorSound = on;
    },
    registryUrl: url,
    registryStation: async () => (await readJson(registryFile, registryFileSchema))?.station,
    tokenSet: async () => (await tokenFor(await url())) !== undefined,
    async registry() {
      const u = await url();
      const t = await tokenFor(u);
      return u && t ? { url: u, token: t } : undefined;
    },
    async setRegistry(input, newToken) {
      const normalized = normalizeRegistryUrl(input);
      // The token would cross the network in clear: plain http only to this machine (a registry beside the station).
      if (normalized.startsWith('http:') && !isLoopbackUrl(normalized)) {
        throw new FieldlineError('INVALID_ARGUMENT', 'use https:// for a registry on another machine: the token would travel in clear over http');
      }
      if (newToken !== undefined) {
        await secrets.set('registry-token', encodeBoundToken(bindToken(normalized, newToken)));
      } else {
        // Another registry and no token for it: the old one must not follow the URL. Deleted from both stores (the
        // desktop falls back to the CLI's file) before the URL changes, so no moment has the new URL with the old token.
        const before = await url();
        for (const store of tokenStores) {
          const t = await storedToken(store, before);
          if (t && t.origin !== originOf(normalized)) await store.delete('registry-token');
        }
      }
      const current = (await readJson(registryFile, registryFileSchema)) ?? { url: normalized };
      // Another registry: what the old one knew of this station (its name, its registered key) no longer holds.
      const next = current.url === normalized ? { ...current, url: normalized } : { url: normalized };
      await writePrivateFile(registryFile, JSON.stringify(next, null, 2) + '\n');
    },
  };
}
