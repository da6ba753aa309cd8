/**
 * noble, loaded only when a BLE command runs: `require('@abandonware/noble')` opens a raw HCI socket as it loads and
 * throws on a machine without Bluetooth, so importing it at the top of any module would break every command. Each
 * failure becomes the technician's words (no adapter, adapter off, missing capabilities), and it comes at once, not
 * after a timeout. `virtual` builds noble around the binding that reaches `fieldline sim --ble` (noble's own
 * custom-binding seam), so everything above the binding is the same code a real adapter runs.
 */
import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';
import type { Noble } from '@abandonware/noble/with-bindings';
import { FieldlineError } from '../../errors';
import { silentLogger, type Logger } from '../../log';
import { defaultBleSocketPath, type BleAdapterChoice } from './adapter-choice';

export type { Noble };

/** The largest ATT MTU (Bluetooth Core 5.x): what we ask for; the peripheral answers with what it takes. */
export const REQUESTED_ATT_MTU = 517;

/** A virtual binding as the loader needs it (main/transport/ble/virtual/binding.ts implements it). */
export interface VirtualBindingLike extends EventEmitter {
  readonly failure: FieldlineError | undefined;
}

export interface LoadNobleOptions {
  /** virtual: the simulator's socket (default FIELDLINE_BLE_SOCKET or <tmp>/fieldline-ble.sock). */
  socketPath?: string;
  logger?: Logger;
  /** How long to wait for the adapter to report its state; default 5 s. */
  readyTimeoutMs?: number;
  /** Test seam: returns noble for the machine's adapter (default: require the package). */
  loadSystem?: () => Noble;
  /** Test seam: makes the virtual binding (default: main/transport/ble/virtual/binding.ts). */
  createVirtualBinding?: (options: { socketPath: string; logger?: Logger }) => VirtualBindingLike | Promise<VirtualBindingLike>;
}

interface Loaded {
  noble: Noble;
  /** Set for virtual: the binding's own account of why it is not usable. */
  failure?: () => FieldlineError | undefined;
  /** Closes what keeps the process alive, where the binding allows it. */
  release?: () => void;
}

/**
 * The noble instances one owner has loaded — the core, the app, or one CLI command — one per adapter choice and
 * socket, so every scan and session of that owner shares the adapter and its virtual socket. Each owner has its own
 * (two cores in one process, as tests make, never hand each other a released instance); `require('@abandonware/noble')`
 * itself stays a process singleton, which is Node's require cache, not ours.
 */
export interface BleRadios {
  /**
   * A ready noble (state poweredOn) for the chosen adapter, loaded on the first call and then shared. A failed load
   * is not kept, so the next call tries again; an instance whose adapter went away is replaced by a fresh one.
   */
  load(choice: BleAdapterChoice, options?: LoadNobleOptions): Promise<Noble>;
  /** Stops scanning and closes the bindings where they can be closed; a later load() starts afresh. */
  release(): Promise<void>;
}

export function createBleRadios(): BleRadios {
  const loaded = new Map<string, Promise<Loaded>>();

  const load = async (choice: BleAdapterChoice, options: LoadNobleOptions = {}): Promise<Noble> => {
    const logger = options.logger ?? silentLogger;
    const socketPath = options.socketPath ?? defaultBleSocketPath();
    const key = choice === 'system' ? 'system' : `virtual:${socketPath}`;

    let pending = loaded.get(key);
    if (pending) {
      const earlier = await pending.catch(() => undefined);
      if (earlier && stateOf(earlier.noble) === 'poweredOn') return earlier.noble;
      // The adapter went away (switched off, simulator stopped): start over with a fresh instance.
      if (loaded.get(key) === pending) loaded.delete(key);
    }
    pending = (async (): Promise<Loaded> => {
      const made = choice === 'system' ? { noble: requireSystemNoble(options, logger) } : await virtualNoble(socketPath, options, logger);
      routeWarnings(made.noble, logger);
      await waitUntilReady(made, choice, socketPath, options.readyTimeoutMs ?? 5000);
      return made;
    })();
    const mine = pending;
    loaded.set(key, mine);
    mine.catch(() => loaded.get(key) === mine && loaded.delete(key));
    return (await pending).noble;
  };

  const release = async (): Promise<void> => {
    const entries = [...loaded.values()];
    loaded.clear();
    for (const pending of entries) {
      const made = await pending.catch(() => undefined);
      if (!made) continue;
      try {
        made.noble.stopScanning();
      } catch {
        // Not scanning, or the adapter is gone: nothing to stop.
      }
      made.release?.();
    }
  };

  return { load, release };
}

function requireSystemNoble(options: LoadNobleOptions, logger: Logger): Noble {
  try {
    if (options.loadSystem) return options.loadSystem();
    const require = createRequire(import.meta.url);
    const noble = require('@abandonware/noble') as Noble;
    askForLargestMtu(require, logger);
    return noble;
  } catch (err) {
    throw systemLoadError(err);
  }
}

/** The errors `require('@abandonware/noble')` and its HCI socket throw, in a technician's words. */
export function systemLoadError(err: unknown): FieldlineError {
  if (err instanceof FieldlineError) return err;
  const e = err as NodeJS.ErrnoException;
  const text = e instanceof Error ? e.message : String(err);
  const code = typeof e?.code === 'string' ? e.code : /\b(EPERM|EACCES|EAFNOSUPPORT|ENODEV)\b/.exec(text)?.[1];
  if (code === 'EPERM' || code === 'EACCES' || /operation not permitted|permission denied/i.test(text)) {
    return new FieldlineError('BLE_PERMISSION', `the Bluetooth adapter cannot be opened without raw-socket capabilities (${code ?? text})`);
  }
  if (code === 'EAFNOSUPPORT' || code === 'ENODEV' || /no compatible|address family not supported|no such device/i.test(text)) {
    return new FieldlineError('BLE_NO_ADAPTER', `this machine has no Bluetooth adapter the system can use (${code ?? text})`);
  }
  return new FieldlineError('BLE_NO_ADAPTER', `no Bluetooth adapter could be used: noble failed to load (${text})`);
}

/**
 * noble's HCI binding asks for an ATT MTU of 256 on every connection; SMP transfers are faster with larger packets
 * (SMP.md §5: Android asks for 498, the range ends at 517), so the request is raised to 517 — the peripheral still
 * answers with what it supports. Only noble's internal module is touched, and only when it has the expected shape.
 */
export function askForLargestMtu(require: NodeJS.Require, logger: Logger = silentLogger): void {
  try {
    const Gatt = require('@abandonware/noble/lib/hci-socket/gatt.js') as { prototype: Record<string, unknown> };
    const original = Gatt.prototype.exchangeMtu;
    if (typeof original !== 'function' || (original as { fieldlinePatched?: boolean }).fieldlinePatched) return;
    const patched = function (this: { _desired_mtu?: number }, ...args: unknown[]): unknown {
      this._desired_mtu = REQUESTED_ATT_MTU;
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
    (patched as { fieldlinePatched?: boolean }).fieldlinePatched = true;
    Gatt.prototype.exchangeMtu = patched;
  } catch (err) {
    logger.debug('could not raise the requested ATT MTU; noble asks for 256', { error: (err as Error).message });
  }
}

async function virtualNoble(socketPath: string, options: LoadNobleOptions, logger: Logger): Promise<Loaded> {
  const make =
    options.createVirtualBinding ??
    (async (o: { socketPath: string; logger?: Logger }): Promise<VirtualBindingLike> => (await import('./virtual/binding')).createVirtualBinding(o));
  const binding = await make({ socketPath, logger: logger.child('virtual-ble') });
  const withBindings = createRequire(import.meta.url)('@abandonware/noble/with-bindings') as (b: EventEmitter) => Noble;
  const closable = binding as VirtualBindingLike & { close?: () => unknown; dispose?: () => unknown };
  return {
    noble: withBindings(binding),
    failure: () => binding.failure,
    release: () => void (closable.close ?? closable.dispose)?.call(binding),
  };
}

/** noble prints its warnings with console.warn unless someone listens: send them to the logger instead. */
function routeWarnings(noble: Noble, logger: Logger): void {
  noble.on('warning', (message: unknown) => logger.debug('noble warning', { message: String(message) }));
}

/** noble's current state without starting its binding (reading `noble.state` would). */
function stateOf(noble: Noble): string {
  return (noble as unknown as { _state?: string })._state ?? 'unknown';
}

function waitUntilReady(loaded: Loaded, choice: BleAdapterChoice, socketPath: string, timeoutMs: number): Promise<void> {
  const { noble } = loaded;
  return new Promise<void>((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      noble.removeListener('stateChange', onState);
      noble.removeListener('warning', onWarning);
    };
    const fail = (error: FieldlineError): void => {
      cleanup();
      reject(error);
    };
    const onState = (state: string): void => {
      const error = stateError(state, choice, socketPath, loaded.failure?.());
      if (state === 'poweredOn') {
        cleanup();
        resolve();
      } else if (error) fail(error);
      // 'unknown' and 'resetting' are on the way to a real state: keep waiting.
    };
    // The binding's init runs on the next tick after the first stateChange listener; if it throws, noble turns the
    // exception into this warning and no state ever follows.
    const onWarning = (message: unknown): void => {
      const text = String(message);
      if (/initiali[sz]ation .* failed/i.test(text)) fail(systemLoadError(new Error(text)));
    };
    const timer = setTimeout(() => {
      const failure = loaded.failure?.();
      fail(
        failure ??
          (choice === 'virtual'
            ? new FieldlineError('BLE_VIRTUAL_UNREACHABLE', `no virtual BLE gateways answered on ${socketPath} within ${timeoutMs} ms`)
            : new FieldlineError('BLE_NO_ADAPTER', `no Bluetooth adapter reported ready within ${Math.round(timeoutMs / 1000)} s`)),
      );
    }, timeoutMs);
    noble.on('warning', onWarning);
    noble.on('stateChange', onState);
    // Already initialised by an earlier caller: its state will not be announced again.
    const current = stateOf(noble);
    if (current !== 'unknown') onState(current);
  });
}

/** The error for an adapter state, or undefined for poweredOn and the transient states. */
export function stateError(state: string, choice: BleAdapterChoice, socketPath: string, failure?: FieldlineError): FieldlineError | undefined {
  switch (state) {
    case 'poweredOn':
    case 'unknown':
    case 'resetting':
      return undefined;
    case 'poweredOff':
      return choice === 'virtual'
        ? (failure ?? new FieldlineError('BLE_VIRTUAL_UNREACHABLE', `the virtual BLE gateways on ${socketPath} went away`))
        : new FieldlineError('BLE_ADAPTER_OFF', 'the Bluetooth adapter is switched off');
    case 'unauthorized':
      return new FieldlineError('BLE_PERMISSION', 'the system refused access to the Bluetooth adapter');
    case 'unsupported':
      return choice === 'virtual'
        ? (failure ?? new FieldlineError('BLE_VIRTUAL_UNREACHABLE', `no virtual BLE gateways listen on ${socketPath}`))
        : new FieldlineError('BLE_NO_ADAPTER', 'this machine has no Bluetooth adapter that supports Bluetooth LE');
    default:
      return new FieldlineError('BLE_NO_ADAPTER', `the Bluetooth adapter is in an unexpected state (${state})`);
  }
}
