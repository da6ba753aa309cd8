/**
 * The device console (issue #16, part 4): a technician looking inside one gateway by hand — OS info and MCUmgr
 * params, image slots, files, settings, the shell, statistics. Every call names a device of the station's list; the
 * Node side claims it for the call, so the console never talks to a gateway a run holds.
 *
 * What a device answers is untrusted: the Node side bounds and cleans it (CONSOLE_LIMITS) before it is sent, and
 * these schemas bound it again, so a hostile gateway can make a panel say odd things but never grow without limit.
 */
import { z } from 'zod';
import { boundedList, boundedText, deviceIdSchema, LIMITS, plainText } from './bounds';

export const CONSOLE_LIMITS = {
  /** A file downloaded through the console: it travels to the browser whole, as base64. */
  downloadBytes: 1024 * 1024,
  /** A file uploaded through the console (base64 of it in the call). */
  uploadBytes: 1024 * 1024,
  /** What the shell printed, and OS info, as shown. */
  outputChars: 64 * 1024,
  /** A shell command line. */
  commandChars: 1024,
  /** Entries of one directory listing. */
  entries: 4096,
  /** Statistics groups read, and counters per group. */
  statGroups: 64,
  counters: 512,
  /** A setting's value typed or shown. */
  settingChars: 4096,
} as const;

/** The value encodings of `fieldline smp settings --as` (main/device/setting-values.ts). */
export const SETTING_VALUE_ENCODINGS = ['text', 'hex', 'u8', 'u16', 'u32', 'u64', 'i8', 'i16', 'i32', 'i64', 'bool'] as const;
export const SettingValueEncodingSchema = z.enum(SETTING_VALUE_ENCODINGS);

const device = { deviceId: deviceIdSchema };
/** A path on the device's file system (`/lfs/config/site.json`). */
const devicePathSchema = plainText(LIMITS.path).regex(/^\//, 'a device path starts with /');
const settingNameSchema = plainText(LIMITS.name);
const hashSchema = z.string().regex(/^[0-9a-f]{64}$/, 'an image hash is 64 hex digits');
const base64Schema = (bytes: number) =>
  z
    .string()
    .max(Math.ceil(bytes / 3) * 4)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');

const one = <T extends z.ZodRawShape>(shape: T) => z.tuple([z.object({ ...device, ...shape }).strict()]);

export const ConsoleInfoSchema = z.object({
  /** `uname -a`-like text from os_mgmt (format "a"); null when the device does not answer it. */
  os: boundedText(LIMITS.text).nullable(),
  /** MCUmgr params: the SMP buffer size and count; null when the device does not answer them. */
  params: z.object({ bufSize: z.number().int().nonnegative(), bufCount: z.number().int().nonnegative() }).nullable(),
  /** Bootloader name and MCUboot mode; null when the device does not answer. */
  bootloader: z.object({ name: z.string().max(LIMITS.name).optional(), mode: z.number().int().optional() }).nullable(),
});

export const ConsoleSlotSchema = z.object({
  image: z.number().int().nonnegative(),
  slot: z.number().int().nonnegative(),
  version: z.string().max(64),
  hash: z.string().max(128).optional(),
  bootable: z.boolean(),
  pending: z.boolean(),
  confirmed: z.boolean(),
  active: z.boolean(),
  permanent: z.boolean(),
});

export const ConsoleListingSchema = z.object({
  path: z.string().max(LIMITS.path),
  /**
   * listed: `fs ls` answered. no-shell: the device has no shell group or no `fs` command (a build without
   * CONFIG_FILE_SYSTEM_SHELL; `fieldline sim --no-fs-shell`): files can still be read by a name typed in.
   * failed: `fs ls` ran and said why it could not list (`problem`).
   */
  state: z.enum(['listed', 'no-shell', 'failed']),
  problem: boundedText(LIMITS.text).optional(),
  entries: boundedList(z.object({ name: z.string().max(LIMITS.fileName), dir: z.boolean() }), CONSOLE_LIMITS.entries),
});

export const ConsoleFileSchema = z.object({
  path: z.string().max(LIMITS.path),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const ConsoleHashSchema = z.object({
  path: z.string().max(LIMITS.path),
  type: z.string().max(32),
  len: z.number().int().nonnegative(),
  /** Hex digest (sha256) or the 8-digit hex checksum (crc32). */
  output: z.string().max(256),
});

export const ConsoleSettingNameSchema = z.object({
  name: z.string().max(LIMITS.name),
  as: SettingValueEncodingSchema,
  /** The profile (name version) that knows this setting. */
  profile: z.string().max(LIMITS.name),
});

export const ConsoleSettingNamesSchema = z.object({
  /**
   * The profile the device was provisioned with (its newest passed provisioning run, in the store or the visit kit),
   * when known; `found` says whether that profile's bytes were at hand, so its names are the ones offered.
   */
  provisionedBy: z
    .object({ name: z.string().max(LIMITS.name), version: z.string().max(64), runId: z.string().max(64), source: z.enum(['store', 'kit']), found: z.boolean() })
    .optional(),
  names: boundedList(ConsoleSettingNameSchema, 4096),
});

export const ConsoleShellSchema = z.object({
  output: boundedText(CONSOLE_LIMITS.outputChars),
  ret: z.number().int(),
  /** The device printed more than CONSOLE_LIMITS.outputChars: the rest was dropped. */
  truncated: z.boolean(),
});

export const ConsoleStatsSchema = z.object({
  groups: boundedList(
    z.object({
      name: z.string().max(LIMITS.name),
      counters: boundedList(z.object({ name: z.string().max(LIMITS.name), value: z.number() }), CONSOLE_LIMITS.counters),
    }),
    CONSOLE_LIMITS.statGroups,
  ),
  /** Groups the device named beyond CONSOLE_LIMITS.statGroups. */
  more: z.number().int().nonnegative(),
});

export const consoleMethods = {
  'console:info': { args: one({}), result: ConsoleInfoSchema },
  'console:images': { args: one({}), result: boundedList(ConsoleSlotSchema, 16) },
  /** test and confirm take the image hash (confirm without one confirms the running image); erase a slot. Audited. */
  'console:image': {
    args: one({ action: z.enum(['test', 'confirm', 'erase']), hash: hashSchema.optional(), slot: z.number().int().min(0).max(15).optional() }),
    result: boundedList(ConsoleSlotSchema, 16),
  },
  'console:fs-list': { args: one({ path: devicePathSchema }), result: ConsoleListingSchema },
  'console:fs-download': {
    args: one({ path: devicePathSchema }),
    result: ConsoleFileSchema.extend({ base64: base64Schema(CONSOLE_LIMITS.downloadBytes) }),
  },
  /** Audited. */
  'console:fs-upload': { args: one({ path: devicePathSchema, base64: base64Schema(CONSOLE_LIMITS.uploadBytes) }), result: ConsoleFileSchema },
  'console:fs-hash': { args: one({ path: devicePathSchema, type: z.enum(['sha256', 'crc32']).optional() }), result: ConsoleHashSchema },
  'console:settings-names': { args: one({}), result: ConsoleSettingNamesSchema },
  'console:settings-get': {
    args: one({ name: settingNameSchema, as: SettingValueEncodingSchema }),
    result: z.object({ name: z.string().max(LIMITS.name), value: boundedText(CONSOLE_LIMITS.settingChars), hex: z.string().max(2 * CONSOLE_LIMITS.settingChars) }),
  },
  /** Writes, then commits and saves when `save`. Audited. */
  'console:settings-set': {
    args: one({ name: settingNameSchema, value: boundedText(CONSOLE_LIMITS.settingChars), as: SettingValueEncodingSchema, save: z.boolean().optional() }),
    result: z.object({ name: z.string().max(LIMITS.name), hex: z.string().max(2 * CONSOLE_LIMITS.settingChars), saved: z.boolean() }),
  },
  /** Audited. */
  'console:settings-delete': { args: one({ name: settingNameSchema }), result: z.object({ name: z.string().max(LIMITS.name) }) },
  /** Commit and save: written values survive a reboot. Audited. */
  'console:settings-save': { args: one({}), result: z.object({ saved: z.literal(true) }) },
  /** One shell command line, sent once (never retried). Audited. */
  'console:shell': { args: one({ command: plainText(CONSOLE_LIMITS.commandChars) }), result: ConsoleShellSchema },
  'console:stats': { args: one({}), result: ConsoleStatsSchema },
} as const;

export const consoleEvents = {} as const;

export type ConsoleInfo = z.output<typeof ConsoleInfoSchema>;
export type ConsoleSlot = z.output<typeof ConsoleSlotSchema>;
export type ConsoleListing = z.output<typeof ConsoleListingSchema>;
export type ConsoleFile = z.output<typeof ConsoleFileSchema>;
export type ConsoleHash = z.output<typeof ConsoleHashSchema>;
export type ConsoleSettingNames = z.output<typeof ConsoleSettingNamesSchema>;
export type ConsoleShell = z.output<typeof ConsoleShellSchema>;
export type ConsoleStats = z.output<typeof ConsoleStatsSchema>;
export type SettingValueEncoding = z.output<typeof SettingValueEncodingSchema>;
