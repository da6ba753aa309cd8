/**
 * Settings: the registry (URL and a write-only token — never sent back, only whether one is set), the operator's
 * name, the data directory, and the station CA, which is unlocked with its passphrase before provisioning.
 */
import { z } from 'zod';
import { LIMITS, plainText, printerAddressSchema } from './bounds';
import { BleAdapterSchema } from './devices';
import { FixtureLabelsSchema } from './fixtures';
import { IdleLockMinutesSchema } from './session';

/**
 * The Bluetooth adapter in force and where that choice comes from: Settings, the way the station was started (the
 * demo's virtual gateways), FIELDLINE_BLE_ADAPTER, or the default (this machine's adapter).
 */
export const BleSettingSchema = z.object({
  adapter: BleAdapterSchema,
  source: z.enum(['settings', 'station', 'environment', 'default']),
});

export const SettingsSchema = z.object({
  registryUrl: z.string().max(LIMITS.url).optional(),
  tokenSet: z.boolean(),
  operator: z.string().max(LIMITS.name),
  dataDir: z.string().max(LIMITS.path),
  /** The label printer (host:port) the line and Print label use; absent: labels are written to files. */
  printer: z.string().max(LIMITS.path).optional(),
  /** Absent when FIELDLINE_BLE_ADAPTER holds something unknown (the first scan says so). */
  ble: BleSettingSchema.optional(),
  /** After this many minutes without activity a signed-in operator is signed out (session.ts). */
  idleLockMinutes: IdleLockMinutesSchema,
  /** This station's fixture positions: where a gateway is plugged in → the label on the fixture (fixtures.ts). */
  fixtureLabels: FixtureLabelsSchema,
  /** The operator view sounds a tone when a slot passes or fails. */
  operatorSound: z.boolean(),
  ca: z.object({
    /** A CA exists in the data directory (`fieldline ca init` or `ca import` has run). */
    initialized: z.boolean(),
    /** Unlocked: runs can be provisioned. */
    ready: z.boolean(),
    subject: z.string().max(1024).optional(),
    notAfter: z.string().max(40).optional(),
  }),
});

const registryUrl = z
  .string()
  .min(1)
  .max(LIMITS.url)
  .refine((s) => /^https?:\/\/[^\s]+$/i.test(s), 'must be an http:// or https:// URL');

export const settingsMethods = {
  'settings:get': { args: z.tuple([]), result: SettingsSchema },
  /** The token is optional: without one the stored token is kept (so the URL can be corrected alone). */
  'settings:set-registry': {
    args: z.tuple([z.object({ url: registryUrl, token: z.string().min(1).max(LIMITS.token).regex(/^\S+$/, 'must not contain spaces').optional() }).strict()]),
    result: SettingsSchema,
  },
  'settings:set-operator': {
    args: z.tuple([z.object({ name: plainText(LIMITS.name) }).strict()]),
    result: SettingsSchema,
  },
  /** An empty printer clears it (labels then go to files in the data directory). */
  'settings:set-printer': {
    args: z.tuple([z.object({ printer: z.union([printerAddressSchema, z.literal('')]) }).strict()]),
    result: SettingsSchema,
  },
  /**
   * Which Bluetooth adapter scans and BLE runs use: this machine's, or the virtual gateways of `fieldline sim --ble`;
   * `default` forgets the choice (FIELDLINE_BLE_ADAPTER, else this machine's). The BLE gateways listed are dropped.
   */
  'settings:set-ble-adapter': {
    args: z.tuple([z.object({ adapter: z.enum(['system', 'virtual', 'default']) }).strict()]),
    result: SettingsSchema,
  },
  /** The idle lock of every operator session (an admin's setting, as every station setting is). */
  'settings:set-idle-lock': {
    args: z.tuple([z.object({ minutes: IdleLockMinutesSchema }).strict()]),
    result: SettingsSchema,
  },
  /** Replaces the whole mapping (the Settings table is saved as one): an empty one names slots by their port again. */
  'settings:set-fixture-labels': {
    args: z.tuple([z.object({ labels: FixtureLabelsSchema }).strict()]),
    result: SettingsSchema,
  },
  'settings:set-operator-sound': {
    args: z.tuple([z.object({ on: z.boolean() }).strict()]),
    result: SettingsSchema,
  },
  /** `remember` keeps the passphrase in the station's secret store (safeStorage on the desktop) for next start. */
  'settings:unlock-ca': {
    args: z.tuple([z.object({ passphrase: z.string().min(1).max(LIMITS.passphrase), remember: z.boolean().optional() }).strict()]),
    result: SettingsSchema,
  },
} as const;

export const settingsEvents = {
  'settings:changed': SettingsSchema,
} as const;

export type Settings = z.output<typeof SettingsSchema>;
