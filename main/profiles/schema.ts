/**
 * The profile format (golden configuration as code), `apiVersion: fieldline/v1`, described once with zod: the
 * loader checks files against it (every problem, with path and line), and the pipeline uses the inferred types.
 * Strings marked "template" may contain {{ device.serial }}, {{ device.firmwareVersion }}, {{ station.name }},
 * {{ vars.NAME }} (filters: `| lower`, `| upper`).
 */
import { z } from 'zod';

const SEMVER = /^\d+\.\d+\.\d+(\+\d+)?$/;
const HEX = /^([0-9a-fA-F]{2})*$/;
const ABSOLUTE_DEVICE_PATH = /^\/[A-Za-z0-9._\-/]+$/;

export const semver = z.string().regex(SEMVER, 'must be a version like 1.2.3 (optionally +build)');
const devicePath = z
  .string()
  .regex(ABSOLUTE_DEVICE_PATH, 'must be an absolute device path like /lfs/certs/device.crt')
  // The device refuses these (fs_mgmt); say so at lint time rather than mid-run.
  .refine((p) => !p.slice(1).split('/').some((s) => s === '' || s === '.' || s === '..'), 'must not contain empty, "." or ".." parts');
const argv = z.array(z.string().min(1)).min(1, 'needs at least the command name');

/** How a device is known when its profile does not say: also how a service visit reads a serial before the profile is known. */
export const DEFAULT_IDENTIFY = { command: ['hwinfo', 'devid'], pattern: 'ID: 0x([0-9a-fA-F]+)' };

export const INTEGER_ENCODINGS = ['u8', 'u16', 'u32', 'u64', 'i8', 'i16', 'i32', 'i64'] as const;

/** Settings values are byte strings on the wire: each says how its value is encoded (integers little-endian). */
export const settingSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('string'), value: z.string().describe('template') }).strict(),
  z
    .object({
      type: z.literal('integer'),
      encoding: z.enum(INTEGER_ENCODINGS).default('i32'),
      value: z.union([z.number().int(), z.string().describe('template')]),
    })
    .strict(),
  z.object({ type: z.literal('boolean'), value: z.boolean() }).strict(),
  z.object({ type: z.literal('bytes'), value: z.string().regex(HEX, 'must be hex (an even number of 0-9a-f digits)') }).strict(),
]);

export const diagnosticSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('echo-rtt'), name: z.string().min(1), maxMs: z.number().positive(), samples: z.number().int().min(1).max(50).default(5) }).strict(),
  z.object({ type: z.literal('firmware-version'), name: z.string().min(1), min: semver }).strict(),
  z.object({ type: z.literal('settings-hash'), name: z.string().min(1) }).strict(),
  z.object({ type: z.literal('identity-challenge'), name: z.string().min(1) }).strict(),
  z
    .object({
      type: z.literal('shell-match'),
      name: z.string().min(1),
      command: argv,
      pattern: z.string().min(1),
      expectRet: z.number().int().default(0),
      /** The command only reads (a sensor, a status): sent again after a lost frame instead of failing the check. */
      readOnly: z.boolean().optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('shell-number'),
      name: z.string().min(1),
      command: argv,
      /** A regular expression whose first group is the number. */
      pattern: z.string().min(1),
      min: z.number().optional(),
      max: z.number().optional(),
      unit: z.string().optional(),
      /** As for shell-match. */
      readOnly: z.boolean().optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('stat'),
      name: z.string().min(1),
      group: z.string().min(1),
      field: z.string().min(1),
      min: z.number().optional(),
      max: z.number().optional(),
    })
    .strict(),
]);

export const profileSchema = z
  .object({
    apiVersion: z.literal('fieldline/v1'),
    kind: z.literal('Profile').default('Profile'),
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be lower-case letters, digits, ".", "_" or "-"'),
    version: semver,
    description: z.string().optional(),
    variables: z
      .record(
        z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'variable names are letters, digits and _'),
        z.object({ description: z.string().optional(), default: z.string().optional(), pattern: z.string().optional() }).strict(),
      )
      .default({}),
    identify: z
      .object({
        command: argv.default(DEFAULT_IDENTIFY.command),
        /** First group is the serial; the default reads Zephyr's `hwinfo devid` output. */
        pattern: z.string().default(DEFAULT_IDENTIFY.pattern),
      })
      .strict()
      .default(DEFAULT_IDENTIFY),
    firmware: z
      .object({
        minVersion: semver,
        /** Image file, relative to the profile; needed when a device is below minVersion. */
        image: z.string().min(1).optional(),
        sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits').optional(),
        /**
         * Public keys (PEM inline, or files relative to the profile) the image must be signed by; checked before any
         * byte is uploaded (main/profiles/signing-keys.ts). 16 KiB each: a PEM public key is under 1 KiB.
         */
        signingKeys: z.array(z.string().min(1).max(16 * 1024)).min(1, 'list at least one key, or leave signingKeys out').max(16).optional(),
      })
      .strict()
      .refine((f) => !f.image || f.sha256, { message: 'an image needs its sha256', path: ['sha256'] })
      .optional(),
    identity: z
      .object({
        mode: z.enum(['csr', 'inject']).default('csr'),
        subject: z.string().min(1).describe('template'),
        sans: z.array(z.string().regex(/^(DNS|URI|IP|email):.+$/, 'must be DNS:…, URI:…, IP:… or email:…').describe('template')).default([]),
        validityDays: z.number().int().min(1).max(3650).default(825),
        slot: z.number().int().min(0).max(255).default(0),
        /**
         * A slot that already holds a certificate this station put in service (csr mode): `fail` refuses the unit,
         * `keep` verifies the certificate and the device's key and keeps them, `replace` issues a new one and revokes
         * the old one once the new one is installed and proved.
         */
        existing: z.enum(['fail', 'keep', 'replace']).default('fail'),
        /** `keep` refuses a certificate that expires within this many days: it is renewed now rather than in the field. */
        renewWithinDays: z.number().int().min(0).max(3650).default(30),
        /** Inject mode: where key, certificate and chain are written with the FS group. */
        files: z.object({ key: devicePath, cert: devicePath, chain: devicePath.optional() }).strict().optional(),
      })
      .strict()
      .refine((i) => i.mode !== 'inject' || i.files, { message: 'inject mode needs files.key and files.cert', path: ['files'] })
      .optional(),
    settings: z.record(z.string().min(1).max(64), settingSchema).default({}),
    files: z
      .array(z.object({ path: devicePath, template: z.string().describe('template') }).strict())
      .default([]),
    diagnostics: z.array(diagnosticSchema).default([]),
  })
  .strict();

export type Profile = z.output<typeof profileSchema>;
export type ProfileInput = z.input<typeof profileSchema>;
export type SettingSpec = z.output<typeof settingSchema>;
export type DiagnosticSpec = z.output<typeof diagnosticSchema>;
export type IdentitySpec = NonNullable<Profile['identity']>;
export type ExistingIdentity = IdentitySpec['existing'];
export type FirmwareSpec = NonNullable<Profile['firmware']>;
