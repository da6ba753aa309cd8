/**
 * The doctor's probes answered by this machine: /etc/group, /proc, /sys and udev's database on Linux, a few
 * commands (pnputil on Windows, bluetoothctl) run with a timeout. Every file read is bounded — /proc and /sys files
 * report a size of 0, so they are read up to a cap rather than by their size — and nothing here writes except
 * writeTest, in the folder it is given.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, open, readdir, readlink, realpath, statfs, unlink } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRegularFile } from '../../profiles/regular-file';
import type { BluetoothAdapter, Capabilities, DiskSpace, GatewayPort, Identity, PortHolder, SerialProbes, ToolProbes, UdevRule } from './probes';
import { UDEV_RULE_NAME } from './serial';

/** The USB vendors resources/udev/99-fieldline.rules marks (system-probes.test.ts checks the two agree). */
export const GATEWAY_VIDS: readonly string[] = ['1915', '1366', '0483', '0403', '10c4', '1a86', '2fe3'];
export const UDEV_RULE_DIRS: readonly string[] = ['/etc/udev/rules.d', '/run/udev/rules.d', '/lib/udev/rules.d', '/usr/lib/udev/rules.d'];
const SHIPPED_RULE = new URL(`../../../resources/udev/${UDEV_RULE_NAME}`, import.meta.url);
/** Enough for any /proc or /sys value we read (a status file is ~1.5 KiB). */
const PROC_CAP = 16 * 1024;
/** A machine with more processes than this is not a station; the scan stays bounded. */
const MAX_PROCESSES = 32_768;
const MAX_FDS_PER_PROCESS = 4096;
const COMMAND_TIMEOUT_MS = 1500;
const SYSTEM_BIN_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** At most `cap` bytes of a file whose reported size cannot be trusted (/proc, /sys), or undefined when it cannot be read. */
export async function readCapped(path: string, cap = PROC_CAP): Promise<string | undefined> {
  try {
    const handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    try {
      const buffer = Buffer.alloc(cap);
      let got = 0;
      while (got < cap) {
        const { bytesRead } = await handle.read(buffer, got, cap - got, null);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return buffer.subarray(0, got).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}

async function regularText(path: string, maxBytes: number): Promise<string | undefined> {
  try {
    return Buffer.from(await readRegularFile(path, { maxBytes, what: path })).toString('utf8');
  } catch {
    return undefined;
  }
}

async function list(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

const pids = async (): Promise<number[]> =>
  (await list('/proc'))
    .filter((n) => /^\d+$/.test(n))
    .slice(0, MAX_PROCESSES)
    .map(Number);

const commOf = async (pid: number): Promise<string | undefined> => (await readCapped(`/proc/${pid}/comm`, 256))?.trim();

function run(command: string, args: readonly string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: COMMAND_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024, windowsHide: true }, (err, stdout) => resolve(err ? undefined : stdout));
  });
}

/** /etc/group as name → { gid, members }. */
async function groups(): Promise<Map<string, { gid: number; members: string[] }>> {
  const text = (await regularText('/etc/group', 1024 * 1024)) ?? '';
  const byName = new Map<string, { gid: number; members: string[] }>();
  for (const line of text.split('\n')) {
    const [name, , gid, members] = line.split(':');
    if (!name || gid === undefined) continue;
    byName.set(name, { gid: Number(gid), members: (members ?? '').split(',').filter(Boolean) });
  }
  return byName;
}

async function identity(): Promise<Identity> {
  let user = process.env['USER'] ?? 'this user';
  try {
    user = userInfo().username || user;
  } catch {
    // No passwd entry (a container's arbitrary uid): the environment's name will do.
  }
  const table = await groups();
  const gids = new Set(process.getgroups?.() ?? []);
  if (process.getgid) gids.add(process.getgid());
  const sessionGroups = [...table].filter(([, g]) => gids.has(g.gid)).map(([name]) => name);
  const dialout = table.get('dialout');
  return { uid: process.getuid?.() ?? -1, user, sessionGroups, dialoutMembers: dialout ? dialout.members : null };
}

async function udevRule(shipped: URL | string): Promise<UdevRule> {
  const expected = await regularText(shipped instanceof URL ? fileURLToPath(shipped) : shipped, 64 * 1024);
  for (const dir of UDEV_RULE_DIRS) {
    const path = join(dir, UDEV_RULE_NAME);
    const text = await regularText(path, 64 * 1024);
    if (text !== undefined) return { installed: path, current: expected === undefined ? null : text === expected };
  }
  return { installed: null, current: null };
}

/** The USB vendor id of a tty, from the first USB device above it in sysfs. */
async function vendorOf(tty: string): Promise<string | undefined> {
  let dir: string;
  try {
    dir = await realpath(`/sys/class/tty/${tty}/device`);
  } catch {
    return undefined;
  }
  for (let depth = 0; depth < 8 && dir !== '/'; depth += 1, dir = dirname(dir)) {
    const vid = await readCapped(join(dir, 'idVendor'), 64);
    if (vid !== undefined) return vid.trim().toLowerCase();
  }
  return undefined;
}

async function gatewayPorts(): Promise<GatewayPort[]> {
  const ports: GatewayPort[] = [];
  for (const tty of (await list('/sys/class/tty')).filter((n) => /^tty(USB|ACM)\d+$/.test(n)).slice(0, 256)) {
    const vid = await vendorOf(tty);
    if (!vid || !GATEWAY_VIDS.includes(vid)) continue;
    const dev = (await readCapped(`/sys/class/tty/${tty}/dev`, 64))?.trim();
    const data = dev ? await readCapped(`/run/udev/data/c${dev}`, 64 * 1024) : undefined;
    ports.push({ path: `/dev/${tty}`, vid, mmIgnore: data === undefined ? null : /^E:ID_MM_DEVICE_IGNORE=1$/m.test(data) });
  }
  return ports;
}

async function portHolders(): Promise<PortHolder[]> {
  const ports = new Set((await list('/dev')).filter((n) => /^tty(USB|ACM)\d+$/.test(n)).map((n) => `/dev/${n}`));
  if (ports.size === 0) return [];
  const holders: PortHolder[] = [];
  for (const pid of await pids()) {
    if (pid === process.pid) continue;
    const fds = (await list(`/proc/${pid}/fd`)).slice(0, MAX_FDS_PER_PROCESS);
    for (const fd of fds) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => undefined);
      if (target && ports.has(target)) holders.push({ port: target, pid, process: (await commOf(pid)) ?? '?' });
    }
  }
  return holders;
}

async function processes(): Promise<string[]> {
  const names = new Set<string>();
  for (const pid of await pids()) {
    const name = await commOf(pid);
    if (name) names.add(name);
  }
  return [...names];
}

async function executables(names: readonly string[]): Promise<Record<string, string | null>> {
  const dirs = [...new Set([...(process.env['PATH'] ?? '').split(delimiter).filter(Boolean), ...SYSTEM_BIN_DIRS])];
  const found: Record<string, string | null> = {};
  for (const name of names) {
    found[name] = null;
    for (const dir of dirs) {
      const candidate = join(dir, name);
      if (await access(candidate, constants.X_OK).then(() => true, () => false)) {
        found[name] = candidate;
        break;
      }
    }
  }
  return found;
}

async function bluetoothAdapters(): Promise<BluetoothAdapter[]> {
  const names = (await list('/sys/class/bluetooth')).filter((n) => /^hci\d+$/.test(n));
  if (names.length === 0) return [];
  // rfkill says "blocked" without asking anyone; bluetoothctl (BlueZ over D-Bus) says whether it is powered.
  let blocked = false;
  for (const entry of await list('/sys/class/rfkill')) {
    if ((await readCapped(`/sys/class/rfkill/${entry}/type`, 64))?.trim() !== 'bluetooth') continue;
    const soft = (await readCapped(`/sys/class/rfkill/${entry}/soft`, 8))?.trim();
    const hard = (await readCapped(`/sys/class/rfkill/${entry}/hard`, 8))?.trim();
    blocked ||= soft === '1' || hard === '1';
  }
  const shown = blocked ? undefined : await run('bluetoothctl', ['show']);
  const powered = blocked ? false : shown === undefined ? null : /Powered:\s*yes/.test(shown) ? true : /Powered:\s*no/.test(shown) ? false : null;
  return names.map((name) => ({ name, powered }));
}

/** CAP_NET_ADMIN is bit 12 and CAP_NET_RAW bit 13 of /proc/self/status's CapEff (linux/capability.h). */
async function capabilities(): Promise<Capabilities> {
  const status = (await readCapped('/proc/self/status')) ?? '';
  const hex = /^CapEff:\s*([0-9a-fA-F]+)$/m.exec(status)?.[1];
  const eff = hex ? BigInt(`0x${hex}`) : 0n;
  return { root: process.getuid?.() === 0, netAdmin: (eff & (1n << 12n)) !== 0n, netRaw: (eff & (1n << 13n)) !== 0n };
}

async function diskSpace(dir: string): Promise<DiskSpace> {
  const s = await statfs(dir);
  return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
}

/** A page, so a full tmpfs refuses it (a byte may fit in a page already allocated elsewhere on some file systems). */
async function writeTest(dir: string): Promise<void> {
  const file = join(dir, `.doctor-${process.pid}-${randomBytes(4).toString('hex')}`);
  const handle = await open(file, 'wx', 0o600);
  try {
    await handle.write(Buffer.alloc(4096));
    await handle.sync();
  } finally {
    await handle.close();
    await unlink(file).catch(() => undefined);
  }
}

async function windowsDrivers(): Promise<string[]> {
  const out = (await run('pnputil', ['/enum-drivers'])) ?? '';
  return out
    .split(/\r?\n/)
    .filter((l) => /^\s*(Original Name|Provider Name)\s*:/i.test(l))
    .map((l) => l.split(':').slice(1).join(':').trim().toLowerCase());
}

async function macSerialDevices(): Promise<string[]> {
  return (await list('/dev')).filter((n) => /^(cu|tty)\./.test(n));
}

async function chromium(): Promise<string | null> {
  const configured = process.env['FIELDLINE_CHROMIUM'];
  if (configured) return (await access(configured, constants.X_OK).then(() => true, () => false)) ? configured : null;
  const found = await executables(['chromium', 'chromium-browser', 'google-chrome']);
  return Object.values(found).find((p) => p !== null) ?? null;
}

export type SystemProbes = SerialProbes & ToolProbes & { bluetoothAdapters(): Promise<BluetoothAdapter[]>; capabilities(): Promise<Capabilities>; diskSpace(dir: string): Promise<DiskSpace>; writeTest(dir: string): Promise<void> };

/** `shippedRule`: the udev rule as Fieldline ships it (default the repository's resources/udev copy). */
export function systemProbes(options: { shippedRule?: URL | string } = {}): SystemProbes {
  return {
    platform: async () => process.platform,
    identity,
    udevRule: () => udevRule(options.shippedRule ?? SHIPPED_RULE),
    processes,
    gatewayPorts,
    portHolders,
    executables,
    windowsDrivers,
    macSerialDevices,
    bluetoothAdapters,
    capabilities,
    diskSpace,
    writeTest,
    chromium,
  };
}
