/**
 * The gateway's non-volatile memory, kept in a directory so a reboot or a restart of the simulator finds it again:
 *
 *   state.json         MCUboot trailer flags (pending swap, image_ok of the running image) and the RTC offset
 *   slot0.bin          primary slot = the running image; slot1.bin the secondary (absent = erased)
 *   settings.json      values the settings subsystem saved (name → base64)
 *   identity/slot<N>/  key.pem (PKCS#8), cert.der, chain-<i>.der
 *   fs/                the LittleFS volume mounted at /lfs
 *
 * Everything but fs/ is small and read once at open; every write goes through writeFileAtomic.
 */
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FieldlineError } from '../../errors';
import type { ResolvedDeviceConfig } from './config';
import { isErrno, readIfExists, writeFileAtomic } from './files';
import { makeMcubootImage, parseMcubootImage, type McubootImage } from '../../device/mcuboot-image';

/** What MCUboot will do at the next boot because of the secondary slot's trailer. */
export type PendingSwap = 'none' | 'test' | 'perm';

export interface SlotContents {
  bytes: Uint8Array;
  /** Undefined when the bytes are not a well-formed MCUboot image (state read then omits the slot, like Zephyr). */
  image: McubootImage | undefined;
}

export interface IdentitySlot {
  keyPem: string | undefined;
  cert: Uint8Array | undefined;
  chain: Uint8Array[];
}

interface BootFlags {
  pending: PendingSwap;
  /** image_ok of the running image; false after a test swap until confirmed, and MCUboot reverts on reset. */
  runningConfirmed: boolean;
  rtcOffsetMs: number;
}

const STATE_FORMAT = 1;
/** Size of the synthetic image a fresh device runs: big enough to look like firmware, small enough for tests. */
export const SYNTHETIC_IMAGE_SIZE = 64 * 1024;
/** Folders the firmware creates on its LittleFS volume at first boot (the FS group cannot make folders). */
export const FS_DIRECTORIES = ['certs', 'config'] as const;
export const IDENTITY_SLOTS = 2;

function parseSlot(bytes: Uint8Array): SlotContents {
  try {
    return { bytes, image: parseMcubootImage(bytes) };
  } catch {
    return { bytes, image: undefined };
  }
}

function corrupt(path: string, why: string): FieldlineError {
  return new FieldlineError('SIMULATOR_FAILED', `virtual device state ${path} is corrupt: ${why}`, { path });
}

function readFlags(path: string, text: string): BootFlags {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw corrupt(path, 'not JSON');
  }
  const o = raw as Record<string, unknown>;
  if (typeof raw !== 'object' || raw === null || o.format !== STATE_FORMAT) throw corrupt(path, 'unknown format');
  const pending = o.pending;
  if (pending !== 'none' && pending !== 'test' && pending !== 'perm') throw corrupt(path, 'bad pending');
  if (typeof o.runningConfirmed !== 'boolean') throw corrupt(path, 'bad runningConfirmed');
  if (typeof o.rtcOffsetMs !== 'number' || !Number.isFinite(o.rtcOffsetMs)) throw corrupt(path, 'bad rtcOffsetMs');
  return { pending, runningConfirmed: o.runningConfirmed, rtcOffsetMs: o.rtcOffsetMs };
}

function readSettings(path: string, text: string): Map<string, Uint8Array> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw corrupt(path, 'not JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw corrupt(path, 'not an object');
  const out = new Map<string, Uint8Array>();
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string') throw corrupt(path, `value of ${k} is not base64`);
    out.set(k, new Uint8Array(Buffer.from(v, 'base64')));
  }
  return out;
}

export class DeviceState {
  private slots: [SlotContents | undefined, SlotContents | undefined];
  private settings: Map<string, Uint8Array>;
  private readonly identities: IdentitySlot[];

  private constructor(
    readonly dir: string,
    private flags: BootFlags,
    slots: [SlotContents | undefined, SlotContents | undefined],
    settings: Map<string, Uint8Array>,
    identities: IdentitySlot[],
  ) {
    this.slots = slots;
    this.settings = settings;
    this.identities = identities;
  }

  /** Opens (or, for an empty directory, initialises) the state; the config only matters for a fresh device. */
  static async open(dir: string, config: ResolvedDeviceConfig): Promise<DeviceState> {
    await mkdir(dir, { recursive: true });
    const fsRoot = join(dir, 'fs');
    for (const sub of FS_DIRECTORIES) await mkdir(join(fsRoot, sub), { recursive: true });

    // A fresh device runs the factory image, confirmed, nothing pending. Each part is created only if missing,
    // so a directory that lost one file never loses the others.
    let slot0 = await readIfExists(join(dir, 'slot0.bin'));
    if (!slot0) {
      slot0 = makeMcubootImage({ version: config.firmwareVersionText, size: SYNTHETIC_IMAGE_SIZE });
      await writeFileAtomic(join(dir, 'slot0.bin'), slot0);
    }
    const statePath = join(dir, 'state.json');
    const stateBytes = await readIfExists(statePath);
    let flags: BootFlags;
    if (stateBytes) {
      flags = readFlags(statePath, Buffer.from(stateBytes).toString('utf8'));
    } else {
      flags = { pending: 'none', runningConfirmed: true, rtcOffsetMs: 0 };
      await writeFileAtomic(statePath, JSON.stringify({ format: STATE_FORMAT, ...flags }, null, 2));
    }
    const slot1 = await readIfExists(join(dir, 'slot1.bin'));
    const settingsBytes = await readIfExists(join(dir, 'settings.json'));
    const settings = settingsBytes ? readSettings(join(dir, 'settings.json'), Buffer.from(settingsBytes).toString('utf8')) : new Map();
    const identities: IdentitySlot[] = [];
    for (let i = 0; i < IDENTITY_SLOTS; i++) identities.push(await DeviceState.readIdentity(join(dir, 'identity', `slot${i}`)));
    return new DeviceState(dir, flags, [parseSlot(slot0), slot1 ? parseSlot(slot1) : undefined], settings, identities);
  }

  private static async readIdentity(slotDir: string): Promise<IdentitySlot> {
    const key = await readIfExists(join(slotDir, 'key.pem'));
    const cert = await readIfExists(join(slotDir, 'cert.der'));
    const chain: Uint8Array[] = [];
    for (let i = 0; ; i++) {
      const der = await readIfExists(join(slotDir, `chain-${i}.der`));
      if (!der) break;
      chain.push(der);
    }
    return { keyPem: key ? Buffer.from(key).toString('utf8') : undefined, cert, chain: cert ? chain : [] };
  }

  /** Root of the /lfs volume on the host. */
  get fsRoot(): string {
    return join(this.dir, 'fs');
  }

  get pending(): PendingSwap {
    return this.flags.pending;
  }

  get runningConfirmed(): boolean {
    return this.flags.runningConfirmed;
  }

  get rtcOffsetMs(): number {
    return this.flags.rtcOffsetMs;
  }

  private async writeFlags(patch: Partial<BootFlags>): Promise<void> {
    const next = { ...this.flags, ...patch };
    await writeFileAtomic(join(this.dir, 'state.json'), JSON.stringify({ format: STATE_FORMAT, ...next }, null, 2));
    this.flags = next;
  }

  async setBootFlags(patch: { pending?: PendingSwap; runningConfirmed?: boolean }): Promise<void> {
    await this.writeFlags(patch);
  }

  async setRtcOffset(ms: number): Promise<void> {
    await this.writeFlags({ rtcOffsetMs: ms });
  }

  // ------------------------------------------------------------------------------------------------------------
  // Image slots

  slot(n: 0 | 1): SlotContents | undefined {
    return this.slots[n];
  }

  async writeSlot(n: 0 | 1, bytes: Uint8Array): Promise<SlotContents> {
    await writeFileAtomic(join(this.dir, `slot${n}.bin`), bytes);
    const contents = parseSlot(bytes);
    this.slots[n] = contents;
    return contents;
  }

  /** Erasing the primary slot would brick the device, and nothing in the model may do it. */
  async eraseSecondary(): Promise<void> {
    await rm(join(this.dir, 'slot1.bin'), { force: true });
    this.slots[1] = undefined;
  }

  /** Exchanges the two slots (MCUboot swap-move). Both must hold bytes. */
  async swapSlots(): Promise<void> {
    const [a, b] = this.slots;
    if (!a || !b) throw new Error('swapSlots needs an image in both slots');
    const p0 = join(this.dir, 'slot0.bin');
    const p1 = join(this.dir, 'slot1.bin');
    const tmp = join(this.dir, 'slot-swap.tmp');
    await rename(p0, tmp);
    await rename(p1, p0);
    await rename(tmp, p1);
    this.slots = [b, a];
  }

  // ------------------------------------------------------------------------------------------------------------
  // Settings (only the saved values; runtime values live in RAM, in the settings handler)

  savedSettings(): ReadonlyMap<string, Uint8Array> {
    return this.settings;
  }

  async saveSettings(values: ReadonlyMap<string, Uint8Array>): Promise<void> {
    const json: Record<string, string> = {};
    for (const [k, v] of values) Object.defineProperty(json, k, { value: Buffer.from(v).toString('base64'), enumerable: true });
    await writeFileAtomic(join(this.dir, 'settings.json'), JSON.stringify(json, null, 2));
    this.settings = new Map(values);
  }

  // ------------------------------------------------------------------------------------------------------------
  // Identity slots

  identity(slot: number): IdentitySlot {
    const id = this.identities[slot];
    if (!id) throw new RangeError(`identity slot ${slot} does not exist`);
    return id;
  }

  private identityDir(slot: number): string {
    return join(this.dir, 'identity', `slot${slot}`);
  }

  /** A new key replaces the old one and anything certified for it. */
  async writeIdentityKey(slot: number, keyPem: string): Promise<void> {
    this.identity(slot);
    const dir = this.identityDir(slot);
    await this.removeCertFiles(dir);
    await mkdir(dir, { recursive: true });
    await writeFileAtomic(join(dir, 'key.pem'), keyPem);
    this.identities[slot] = { keyPem, cert: undefined, chain: [] };
  }

  /** Chain first, leaf last: the leaf's presence is what marks a slot as installed. */
  async writeIdentityCert(slot: number, cert: Uint8Array, chain: Uint8Array[]): Promise<void> {
    const current = this.identity(slot);
    const dir = this.identityDir(slot);
    await this.removeCertFiles(dir);
    for (const [i, der] of chain.entries()) await writeFileAtomic(join(dir, `chain-${i}.der`), der);
    await writeFileAtomic(join(dir, 'cert.der'), cert);
    this.identities[slot] = { keyPem: current.keyPem, cert, chain };
  }

  async eraseIdentity(slot: number): Promise<void> {
    this.identity(slot);
    await rm(this.identityDir(slot), { recursive: true, force: true });
    this.identities[slot] = { keyPem: undefined, cert: undefined, chain: [] };
  }

  private async removeCertFiles(dir: string): Promise<void> {
    await rm(join(dir, 'cert.der'), { force: true });
    let names: string[] = [];
    try {
      names = await readdir(dir);
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
    }
    for (const name of names) if (/^chain-\d+\.der$/.test(name)) await rm(join(dir, name), { force: true });
  }
}
