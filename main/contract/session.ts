/**
 * The operator of one window or browser tab (issue #14). A station whose store has operators is "claimed": each
 * session (an Electron window, a station WebSocket connection) signs in as one of them, and every call it makes
 * is checked by the core against that operator's role. An unclaimed station needs no sign-in and works as before.
 *
 * A session is signed out by `session:sign-out`, and by the idle lock: after `idleLockMs` without activity
 * (`session:touch`, sent by the UI on the user's own input, or a sign-in) the Node side ends it by itself, so a tab
 * left open cannot act. `session:changed` goes to that session alone, never to the others.
 */
import { z } from 'zod';
import { OperatorNameSchema, OperatorSecretSchema, SignedInSchema } from './operators';

/** The idle lock's bounds and default, in minutes (a station setting an admin changes). */
export const IDLE_LOCK_MINUTES = { min: 1, max: 240, default: 15 } as const;

export const IdleLockMinutesSchema = z.number().int().min(IDLE_LOCK_MINUTES.min).max(IDLE_LOCK_MINUTES.max);

export const SessionStateSchema = z.object({
  /** The station has operators: nothing but the session:* methods answers until someone signs in. */
  claimed: z.boolean(),
  /** Who is signed in (absent: nobody). */
  operator: SignedInSchema.optional(),
  /** The idle lock in force, in milliseconds. */
  idleLockMs: z.number().int().positive().max(IDLE_LOCK_MINUTES.max * 60_000),
  /** Why the last operator's session ended, when it ended by itself (the sign-in screen says so). */
  ended: z.enum(['idle', 'disabled']).optional(),
});

export const sessionMethods = {
  'session:get': { args: z.tuple([]), result: SessionStateSchema },
  /** A wrong name or secret answers OPERATOR_SIGN_IN_FAILED and counts toward the operator's lockout. */
  'session:sign-in': {
    args: z.tuple([z.object({ name: OperatorNameSchema, secret: OperatorSecretSchema }).strict()]),
    result: SessionStateSchema,
  },
  /** `idle`: the page noticed the idle lock first (its clock runs from the user's input), so the reason is kept. */
  'session:sign-out': { args: z.tuple([z.object({ idle: z.boolean().optional() }).strict().optional()]), result: SessionStateSchema },
  /** The user did something (a key, a click): the idle lock starts counting again. */
  'session:touch': { args: z.tuple([]), result: SessionStateSchema },
} as const;

export const sessionEvents = {
  'session:changed': SessionStateSchema,
} as const;

export type SessionState = z.output<typeof SessionStateSchema>;
