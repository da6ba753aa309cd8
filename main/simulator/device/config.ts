/**
 * What distinguishes one virtual gateway from another. The runtime builds a DeviceConfig from its CLI flags;
 * resolveDeviceConfig fills the defaults and refuses values a real device could not have.
 */
import { FieldlineError } from '../../errors';
import { parseVersion, type ImageVersion } from '../../device/mcuboot-image';
import type { FirmwareKey } from '../../device/firmware-keys';

export interface DeviceDelays {
  /** Milliseconds per KiB written to flash (image upload, FS upload). */
  flashWritePerKiB: number;
  /** Milliseconds to erase the secondary slot (first upload chunk, image erase). */
  erase: number;
  /** Milliseconds to generate a key pair (identity csr). */
  keyGeneration: number;
  /** Milliseconds from reset to the application answering again (boot() waits this long). */
  reboot: number;
}

export type DiagnosticName = 'temp' | 'modem' | 'selftest';

export interface DeviceConfig {
  /** Hardware id as hex, 1..16 bytes (Zephyr's hwinfo shell reads at most 16), e.g. '0123456789ABCDEF'. */
  serial: string;
  /** Version of the synthetic image a fresh state directory starts with; default '1.0.0'. */
  firmwareVersion?: string;
  /** CONFIG_MCUMGR_TRANSPORT_NETBUF_SIZE; default 2475 (see runtime/simulator.ts DEFAULT_BUF_SIZE). */
  bufSize?: number;
  /** CONFIG_MCUMGR_TRANSPORT_NETBUF_COUNT; default 4. */
  bufCount?: number;
  delays?: Partial<DeviceDelays>;
  /** Diagnostics that report a failure (shell `diag <name>`); `name@version` only while that image version runs. */
  failDiagnostics?: string[];
  /** For the runtime: answer as a v1-only server. The device model itself does not look at it. */
  smpV1Only?: boolean;
  /** Size of each image slot in bytes; default 0x76000 (nRF52840 DK's partition layout). */
  slotSize?: number;
  /**
   * CONFIG_FILE_SYSTEM_SHELL: the shell's `fs ls` and `fs rm`; default true. Off, `fs` is not a command, as on a
   * build without it — the only way to delete a file, since the FS group has none.
   */
  fsShell?: boolean;
  /**
   * MCUboot's built-in signing keys (`sim --require-signed`): an image in the secondary slot boots only if its
   * signature verifies with one of them. None: MCUboot checks the SHA-256 TLV only, as a build without signing does.
   */
  bootKeys?: readonly FirmwareKey[];
}

export interface ResolvedDeviceConfig {
  serial: string;
  serialBytes: Uint8Array;
  firmwareVersion: ImageVersion;
  firmwareVersionText: string;
  bufSize: number;
  bufCount: number;
  delays: DeviceDelays;
  failDiagnostics: ReadonlySet<DiagnosticName>;
  /** Diagnostics that fail only while the running image has this version (a bad firmware release). */
  failDiagnosticsOnImage: ReadonlyMap<DiagnosticName, string>;
  smpV1Only: boolean;
  slotSize: number;
  fsShell: boolean;
  bootKeys: readonly FirmwareKey[];
}

export const DEFAULT_DELAYS: DeviceDelays = { flashWritePerKiB: 0.5, erase: 50, keyGeneration: 80, reboot: 300 };
/** Delays all zero: what tests use so they never sleep. */
export const NO_DELAYS: DeviceDelays = { flashWritePerKiB: 0, erase: 0, keyGeneration: 0, reboot: 0 };

const DIAGNOSTICS: readonly DiagnosticName[] = ['temp', 'modem', 'selftest'];

function invalid(message: string): FieldlineError {
  return new FieldlineError('INVALID_ARGUMENT', `virtual device: ${message}`);
}

function positiveInt(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw invalid(`${name} ${value} must be an integer ${min}..${max}`);
  return value;
}

export function resolveDeviceConfig(config: DeviceConfig): ResolvedDeviceConfig {
  const serial = config.serial;
  if (!/^(?:[0-9a-fA-F]{2}){1,16}$/.test(serial)) {
    throw invalid(`serial "${serial}" must be 1 to 16 bytes of hex (an even number of hex digits)`);
  }
  const firmwareVersionText = config.firmwareVersion ?? '1.0.0';
  const delays = { ...DEFAULT_DELAYS, ...config.delays };
  for (const [name, ms] of Object.entries(delays)) {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw invalid(`delay ${name} must be a number ≥ 0`);
  }
  const failDiagnostics = new Set<DiagnosticName>();
  const failDiagnosticsOnImage = new Map<DiagnosticName, string>();
  for (const entry of config.failDiagnostics ?? []) {
    const [name, image] = entry.split('@', 2);
    const known = DIAGNOSTICS.find((d) => d === name);
    if (!known) throw invalid(`unknown diagnostic "${name}" (known: ${DIAGNOSTICS.join(', ')})`);
    if (image === undefined) failDiagnostics.add(known);
    else failDiagnosticsOnImage.set(known, image);
  }
  return {
    serial,
    serialBytes: new Uint8Array(Buffer.from(serial, 'hex')),
    firmwareVersion: parseVersion(firmwareVersionText),
    firmwareVersionText,
    // 64 bytes is the smallest buffer that still carries an SMP header and a useful body.
    bufSize: positiveInt('bufSize', config.bufSize ?? 2475, 64, 65535),
    bufCount: positiveInt('bufCount', config.bufCount ?? 4, 1, 64),
    delays,
    failDiagnostics,
    failDiagnosticsOnImage,
    smpV1Only: config.smpV1Only ?? false,
    slotSize: positiveInt('slotSize', config.slotSize ?? 0x76000, 4096, 0x7fffffff),
    fsShell: config.fsShell ?? true,
    bootKeys: config.bootKeys ?? [],
  };
}
