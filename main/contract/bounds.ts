/**
 * Bounded building blocks for the contract's schemas. The renderer is untrusted (a compromised page, a foreign
 * WebSocket client): every string, list and record it can send has a maximum size, checked before any handler
 * runs, so no call can make the Node side allocate without limit or parse something it did not expect.
 */
import { z } from 'zod';

export const LIMITS = {
  /** Names shown in lists: profile names, operator, step names. */
  name: 200,
  /** One line of text: a message, an error detail. */
  text: 4000,
  /** A filesystem path the Node side produced and the renderer hands back (device port, profile). */
  path: 1024,
  /** Opaque ids: device ids. */
  id: 256,
  /** Batch variables per run, and the length of one value. */
  variables: 64,
  variableValue: 1024,
  /** A profile imported from the renderer: the YAML text and its detached signature. */
  profileChars: 1024 * 1024,
  signatureChars: 4096,
  fileName: 255,
  url: 2048,
  token: 4096,
  passphrase: 1024,
  /** Lists the Node side returns (devices, runs, profiles, log lines). */
  list: 10_000,
} as const;

// A control character in a name or path is never legitimate and can spoof what a technician reads in a log.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Text without control characters, 1..max characters. */
export function plainText(max: number): z.ZodString {
  return z.string().min(1).max(max).refine((s) => !CONTROL.test(s), 'must not contain control characters');
}

/** Free text of at most `max` characters (may be empty; newlines allowed). */
export function boundedText(max: number = LIMITS.text): z.ZodString {
  return z.string().max(max);
}

export const runIdSchema = z.string().uuid();
export const deviceIdSchema = plainText(LIMITS.id);
export const isoTimeSchema = z.string().min(1).max(40);

/**
 * A path handed back by the renderer. It is only a key: the Node side looks it up among the paths it offered
 * (profiles) or checks it is a character device (ports); it never opens it as given.
 */
export const pathSchema = plainText(LIMITS.path);

/** Batch variables, as a profile declares them: names of letters, digits and `_`. */
export const variablesSchema = z
  .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'variable names are letters, digits and _'), z.string().max(LIMITS.variableValue))
  .refine((v) => Object.keys(v).length <= LIMITS.variables, `at most ${LIMITS.variables} variables`);

/**
 * A label printer on the network: `host`, `host:port`, `[v6]` or `[v6]:port` (raw TCP, 9100 unless given). Only
 * the shape is checked here; the Node side parses it again (main/station/labels/printer.ts) before connecting.
 */
export const printerAddressSchema = plainText(300).regex(
  /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}))(?::[0-9]{1,5})?$/,
  'a printer is host or host:port (raw TCP, usually 9100)',
);

/** A list the Node side returns, bounded so a bug cannot send an unbounded answer either. */
export function boundedList<T extends z.ZodType>(item: T, max: number = LIMITS.list): z.ZodArray<T> {
  return z.array(item).max(max);
}
