/**
 * Device replacement, for a service visit: provision a new unit with the variables of the unit it replaces, then —
 * only once that run passed — revoke the old unit's certificate (reason `replaced`) and link the two
 * (main/provisioning/replace.ts; the CLI's `fieldline replace`). The call answers when the replacement has ended.
 */
import { z } from 'zod';
import { boundedList, deviceIdSchema, LIMITS, pathSchema, plainText, runIdSchema } from './bounds';
import { runOutcomeSchema } from './run-record';

export const ReplacementSchema = z.object({
  /** The new unit's run; its record (runs:get) says `replaces` when the replacement was done. */
  runId: runIdSchema,
  outcome: runOutcomeSchema,
  oldSerial: z.string().max(LIMITS.name),
  newSerial: z.string().max(LIMITS.name),
  /** True once the old unit's certificate is revoked and both are linked; false leaves the old unit as it was. */
  replaced: z.boolean(),
  /** The old unit's certificates revoked now (lower-case hex). */
  revoked: boundedList(z.string().max(64)),
  /** Why a passed run still did not replace the old unit. */
  problem: z.object({ code: z.string().max(64), message: z.string().max(LIMITS.text) }).optional(),
});

export const replaceMethods = {
  'replace:start': {
    args: z.tuple([
      z
        .object({
          /** Serial of the unit being replaced: it needs a passed run in this station's store. */
          oldSerial: plainText(LIMITS.name).min(1),
          /** The new unit, as devices:list names it. */
          deviceId: deviceIdSchema,
          /** One of the paths profiles:list offered. */
          profilePath: pathSchema,
          /** On a station that follows a release channel, use a profile that is not one of its releases (an override; audited). */
          allowUnreleased: z.boolean().optional(),
        })
        .strict(),
    ]),
    result: ReplacementSchema,
  },
} as const;

export const replaceEvents = {} as const;

export type ReplacementInfo = z.output<typeof ReplacementSchema>;
