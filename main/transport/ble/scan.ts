/**
 * Finding gateways over BLE: peripherals that advertise the SMP service (SMP.md §5). Scanning is shared — noble has
 * one radio — so several callers (a scan list, a connect looking for its gateway) may scan at once; the radio stops
 * when the last one is done. Duplicates are requested so RSSI stays current; each gateway is listed once.
 */
import type { Peripheral } from '@abandonware/noble';
import { FieldlineError } from '../../errors';
import type { Noble } from './noble';
import { normalizeUuid, SMP_SERVICE_UUID } from './uuids';

export interface BleGatewayInfo {
  /** noble's peripheral id (on Linux the address without colons). */
  id: string;
  /** Bluetooth address, lower case with colons ("" when the platform hides it, as macOS does). */
  address: string;
  /** Advertised local name ("" when none). */
  name: string;
  /** Latest received signal strength, dBm. */
  rssi: number;
}

export interface ScanOptions {
  durationMs: number;
  signal?: AbortSignal;
  /** Called for each new gateway and each RSSI update. */
  onUpdate?: (gateway: BleGatewayInfo) => void;
}

const normalizeAddress = (address: string): string => address.toLowerCase().replace(/[^0-9a-f]/g, '');

export function gatewayInfo(p: Peripheral): BleGatewayInfo {
  return {
    id: p.id,
    address: (p.address ?? '').toLowerCase(),
    name: p.advertisement?.localName ?? '',
    rssi: typeof p.rssi === 'number' ? p.rssi : -127,
  };
}

function advertisesSmp(p: Peripheral): boolean {
  const uuids = p.advertisement?.serviceUuids ?? [];
  return uuids.some((u) => normalizeUuid(u) === SMP_SERVICE_UUID);
}

/** Does `selector` (an address in any common spelling, or an advertised name) name this gateway? */
export function matchesSelector(info: BleGatewayInfo, selector: string): boolean {
  const s = selector.trim();
  if (!s) return false;
  const addr = normalizeAddress(s);
  if (/^[0-9a-f]{12}$/.test(addr) && /^[0-9a-f]{2}([:-]?[0-9a-f]{2}){5}$/i.test(s)) {
    return normalizeAddress(info.address) === addr || normalizeAddress(info.id) === addr;
  }
  return info.name.toLowerCase() === s.toLowerCase() || info.id === s;
}

interface RadioUse {
  users: number;
  starting?: Promise<void>;
}

// Per-instance state, not module-global: each noble (each owner's radios) has its own scan users; gone with it.
const radio = new WeakMap<Noble, RadioUse>();

/** Starts scanning (once per noble) and returns the function that ends this caller's share of it. */
async function acquireScan(noble: Noble): Promise<() => Promise<void>> {
  let use = radio.get(noble);
  if (!use) {
    use = { users: 0 };
    radio.set(noble, use);
  }
  use.users++;
  const current = use;
  if (current.users === 1) {
    current.starting = startScanning(noble).catch((err: unknown) => {
      current.users = 0;
      current.starting = undefined;
      throw scanError(err);
    });
  }
  try {
    await current.starting;
  } catch (err) {
    current.users = Math.max(0, current.users - 1);
    throw err;
  }
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    current.users--;
    if (current.users === 0) {
      current.starting = undefined;
      await noble.stopScanningAsync().catch(() => {});
    }
  };
}

/** noble answers a scan start with its 'scanStart' event; a binding that never does must not hang the command. */
function startScanning(noble: Noble, timeoutMs = 5000): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the adapter did not start scanning within ${timeoutMs} ms`)), timeoutMs);
    noble.startScanningAsync([SMP_SERVICE_UUID], true).then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

function scanError(err: unknown): FieldlineError {
  if (err instanceof FieldlineError) return err;
  const text = err instanceof Error ? err.message : String(err);
  if (/poweredOff/.test(text)) return new FieldlineError('BLE_ADAPTER_OFF', `cannot scan: ${text}`);
  if (/unauthorized/.test(text)) return new FieldlineError('BLE_PERMISSION', `cannot scan: ${text}`);
  return new FieldlineError('BLE_NO_ADAPTER', `cannot scan for Bluetooth gateways: ${text}`);
}

/**
 * Watches advertisements until `stop` returns true or the time is up; resolves with every SMP gateway seen (latest
 * RSSI each) and the peripheral `stop` accepted, if any.
 */
async function watch(
  noble: Noble,
  options: ScanOptions & { stop?: (p: Peripheral, info: BleGatewayInfo) => boolean },
): Promise<{ seen: Map<string, BleGatewayInfo>; found?: Peripheral }> {
  const seen = new Map<string, BleGatewayInfo>();
  const release = await acquireScan(noble);
  try {
    return await new Promise((resolve, reject) => {
      const detach = (): void => {
        clearTimeout(timer);
        noble.removeListener('discover', onDiscover);
        noble.removeListener('stateChange', onState);
        options.signal?.removeEventListener('abort', onAbort);
      };
      const finish = (found?: Peripheral): void => {
        detach();
        resolve(found ? { seen, found } : { seen });
      };
      const onDiscover = (p: Peripheral): void => {
        if (!advertisesSmp(p)) return;
        const info = gatewayInfo(p);
        seen.set(p.id, info);
        options.onUpdate?.(info);
        if (options.stop?.(p, info)) finish(p);
      };
      const onState = (state: string): void => {
        if (state === 'poweredOn') return;
        detach();
        reject(scanError(new Error(`the adapter is now ${state}`)));
      };
      const onAbort = (): void => {
        detach();
        reject(new FieldlineError('CANCELLED', 'scan cancelled'));
      };
      const timer = setTimeout(() => finish(), options.durationMs);
      noble.on('discover', onDiscover);
      noble.on('stateChange', onState);
      if (options.signal?.aborted) onAbort();
      else options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  } finally {
    await release();
  }
}

/** Every gateway advertising the SMP service within `durationMs`, strongest signal first. */
export async function scanGateways(noble: Noble, options: ScanOptions): Promise<BleGatewayInfo[]> {
  const { seen } = await watch(noble, options);
  return [...seen.values()].sort((a, b) => b.rssi - a.rssi);
}

export interface FindOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/** The gateway `selector` names (address or advertised name), as soon as it is heard; BLE_DEVICE_NOT_FOUND otherwise. */
export async function findGateway(noble: Noble, selector: string, options: FindOptions): Promise<Peripheral> {
  const { seen, found } = await watch(noble, {
    durationMs: options.timeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
    stop: (p, info) => p.connectable !== false && matchesSelector(info, selector),
  });
  if (found) return found;
  const heard = [...seen.values()].map((g) => `${g.name || '(no name)'} ${g.address || g.id} ${g.rssi} dBm`);
  throw new FieldlineError(
    'BLE_DEVICE_NOT_FOUND',
    `"${selector}" was not heard within ${(options.timeoutMs / 1000).toFixed(1)} s; ` +
      (heard.length ? `gateways seen: ${heard.join(', ')}` : 'no gateway advertising the SMP service was seen'),
    { selector, seen: [...seen.values()] },
  );
}
