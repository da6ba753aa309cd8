/**
 * What the doctor's checks may ask of the machine and of the station. Every probe answers plain data (or throws a
 * Node error with its `code`), so the checks are pure functions of these answers: tests fake them both ways, and
 * system-probes.ts / station-probes.ts answer them for real. The split follows the check families.
 */

/** Who runs Fieldline, as serial permissions see it. */
export interface Identity {
  uid: number;
  user: string;
  /** Groups of this process (what a port's permissions are checked against now). */
  sessionGroups: string[];
  /** Members /etc/group lists for dialout (they get it at their next log-in); null when there is no such group. */
  dialoutMembers: string[] | null;
}

/** The udev rule as installed: where, and whether it is the one Fieldline ships. */
export interface UdevRule {
  /** The installed file, or null. */
  installed: string | null;
  /** Byte for byte the shipped resources/udev/99-fieldline.rules; null when the shipped copy was not found to compare. */
  current: boolean | null;
}

/** A plugged USB serial port of a gateway vendor (the VIDs of the udev rule), with what udev says of it. */
export interface GatewayPort {
  path: string;
  vid: string;
  /** udev's ID_MM_DEVICE_IGNORE for it: true when set to 1; null when udev could not be asked. */
  mmIgnore: boolean | null;
}

export interface PortHolder {
  port: string;
  pid: number;
  process: string;
}

export interface BluetoothAdapter {
  name: string;
  /** null: could not be told (no bluetoothctl, no rfkill entry). */
  powered: boolean | null;
}

export interface Capabilities {
  root: boolean;
  netRaw: boolean;
  netAdmin: boolean;
}

export interface DiskSpace {
  freeBytes: number;
  totalBytes: number;
}

export interface SerialProbes {
  platform(): Promise<string>;
  identity(): Promise<Identity>;
  udevRule(): Promise<UdevRule>;
  /** Names of running processes (`comm`), once each. */
  processes(): Promise<string[]>;
  gatewayPorts(): Promise<GatewayPort[]>;
  /** Other processes holding a serial port open (from /proc/<pid>/fd). */
  portHolders(): Promise<PortHolder[]>;
  /** The full path of each command found on PATH (or in the usual system folders); null when absent. */
  executables(names: readonly string[]): Promise<Record<string, string | null>>;
  /** Windows: the driver packages installed (pnputil /enum-drivers: original names and providers, lower-case). */
  windowsDrivers(): Promise<string[]>;
  /** macOS: the serial device names under /dev (tty.* and cu.*). */
  macSerialDevices(): Promise<string[]>;
}

export interface BluetoothProbes {
  platform(): Promise<string>;
  bluetoothAdapters(): Promise<BluetoothAdapter[]>;
  capabilities(): Promise<Capabilities>;
}

export interface DataDirProbes {
  dataDir: string;
  diskSpace(dir: string): Promise<DiskSpace>;
  /** Writes, syncs and removes a small file in `dir`; throws the write's error (EROFS, ENOSPC, EACCES…). */
  writeTest(dir: string): Promise<void>;
}

export interface ToolProbes {
  executables(names: readonly string[]): Promise<Record<string, string | null>>;
  /** The Chromium the virtual gateways' UI tests launch, or null. */
  chromium(): Promise<string | null>;
}

/** The station CA, as the doctor may see it without unlocking anything it was not given the secret for. */
export interface CaProbe {
  initialized: boolean;
  /** Unlocked in this process. */
  ready: boolean;
  notAfter?: string;
  /**
   * How it can be unlocked: `tried` a passphrase or PIN at hand was tried (`unlockError` when it did not open),
   * `prompt` the CLI asks when a run needs it, `settings` the app's Settings screen.
   */
  unlock: 'tried' | 'prompt' | 'settings';
  unlockError?: string;
  /** Why the CA files could not be read, when they could not. */
  readError?: string;
}

export type RegistryProbe =
  | { configured: false; urlWithoutToken?: string }
  | {
      configured: true;
      url: string;
      /** GET /v1/health: the status, or why there was none. */
      health: { status: number; date: string | null; sentAt: number; receivedAt: number } | { error: string };
      /** An authenticated request: its status, or why there was none. */
      auth: { status: number } | { error: string };
    };

export interface StoreProbe {
  /** PRAGMA quick_check's rows ("ok" alone when sound), or why the store could not be opened. */
  quickCheck: string[] | { error: string };
  audit: { ok: boolean; entries: number; problem?: { seq: number; reason: string } } | { error: string };
}

export interface ProfileProbe {
  name: string;
  /** Has a firmware section (so an image may be flashed). */
  firmware: boolean;
  signingKeys: number;
}

export interface StationProbes {
  now(): number;
  ca(): Promise<CaProbe>;
  registry(): Promise<RegistryProbe>;
  /** undefined: no store yet (none was ever made in this data directory). */
  store(): Promise<StoreProbe | undefined>;
  profiles(): Promise<ProfileProbe[]>;
}

export type DoctorProbes = SerialProbes & BluetoothProbes & DataDirProbes & ToolProbes & StationProbes;
