/**
 * Drift, for a service visit: how a device differs from its golden configuration (settings, files, firmware
 * minimum, identity), and writing the golden values back.
 */
import { z } from 'zod';
import { boundedList, deviceIdSchema, LIMITS, pathSchema, variablesSchema } from './bounds';

export const DifferenceSchema = z.object({
  kind: z.enum(['setting', 'file', 'firmware', 'identity']),
  name: z.string().max(LIMITS.path),
  /** Golden and actual values as text (hex for bytes); null when absent. */
  expected: z.string().max(LIMITS.profileChars).nullable(),
  actual: z.string().max(LIMITS.profileChars).nullable(),
  fixable: z.boolean(),
});

export const DriftReportSchema = z.object({
  serial: z.string().max(LIMITS.name),
  firmware: z.string().max(64),
  profile: z.object({ name: z.string().max(LIMITS.name), version: z.string().max(64) }),
  variables: z.record(z.string(), z.string()),
  /** The run whose variables filled those not given. */
  variablesFrom: z.string().max(64).optional(),
  differences: boundedList(DifferenceSchema),
});

const driftRequest = z.object({
  deviceId: deviceIdSchema,
  profilePath: pathSchema,
  /** Default: the variables of the device's last passed run. */
  variables: variablesSchema.optional(),
});
const driftArgs = z.tuple([driftRequest.strict()]);
/** A fix writes the profile to the device: on a station that follows a release channel, the release gate applies. */
const driftFixArgs = z.tuple([
  driftRequest
    .extend({
      /** On a station that follows a release channel, use a profile that is not one of its releases (an override; audited). */
      allowUnreleased: z.boolean().optional(),
    })
    .strict(),
]);

export const driftMethods = {
  'drift:check': { args: driftArgs, result: DriftReportSchema },
  /** Writes every fixable difference back, then checks again; recorded in the audit log. */
  'drift:fix': {
    args: driftFixArgs,
    result: z.object({ fixed: boundedList(DifferenceSchema), remaining: boundedList(DifferenceSchema), report: DriftReportSchema }),
  },
} as const;

export const driftEvents = {} as const;

export type Difference = z.output<typeof DifferenceSchema>;
export type DriftReportInfo = z.output<typeof DriftReportSchema>;
