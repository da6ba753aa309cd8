/**
 * The contract over a WebSocket (station web mode): the messages main/server/ and the renderer's web bridge
 * exchange, described once. A call carries an id the answer repeats; events flow from the server unasked.
 * When the station requires a token, the first message must be `auth` (the browser cannot set headers on a
 * WebSocket, and a token in the URL would end up in logs) with one credential: the station token, a single-use
 * login ticket (what the URL `fieldline station` prints carries), or a session the station answered earlier.
 */
import { z } from 'zod';
import { ErrorInfoSchema } from './result';

export const WS_PATH = '/api';
/** Largest message either side sends: a 1 MiB profile import, JSON-escaped, fits. */
export const WS_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
/** Calls one connection may have unanswered at once. */
export const WS_MAX_IN_FLIGHT = 32;

const callId = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const ClientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('call'), id: callId, method: z.string().max(64), args: z.array(z.unknown()).max(8) }).strict(),
  /** Exactly one of token, ticket and session (the server closes the connection otherwise). */
  z
    .object({
      type: z.literal('auth'),
      token: z.string().max(4096).optional(),
      ticket: z.string().max(256).optional(),
      session: z.string().max(256).optional(),
    })
    .strict(),
]);

const ResultSchema = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: ErrorInfoSchema }),
]);

export const ServerMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('result'), id: callId, result: ResultSchema }),
  z.object({ type: z.literal('event'), name: z.string().max(64), payload: z.unknown() }),
  /** `session`: what to authenticate with when reconnecting; `retryAfterMs`: refused unchecked, too many failures. */
  z.object({
    type: z.literal('auth'),
    ok: z.boolean(),
    session: z.string().max(256).optional(),
    retryAfterMs: z.number().int().nonnegative().optional(),
  }),
]);

export type ClientMessage = z.output<typeof ClientMessageSchema>;
export type ServerMessage = z.output<typeof ServerMessageSchema>;

/** Close codes (4000–4999 are the application's own). */
export const WS_CLOSE = {
  /** A message that is not one of ClientMessageSchema's. */
  protocol: 1008,
  /** Auth missing or wrong. */
  unauthorized: 4401,
  /** Too many failed authentications from this address: not checked; try again later. */
  tooManyAttempts: 4429,
  /** The client did not keep up with events. */
  tooSlow: 4408,
  shutdown: 1001,
} as const;
