/**
 * The run record as the registry takes it at its edge. runRecordSchema (main/contract/run-record.ts) describes what
 * the pipeline writes, and a station trusts its own store; a server cannot trust its clients, so this wraps it with
 * every bound the registry needs to store a record and find it again:
 *
 * - run ids are UUIDs in lower case: one spelling per run. Upper case is rejected, not folded, so the id a
 *   station sent is the id the registry stores and answers with (its outbox is keyed by it);
 * - times are ISO-8601 with a time zone (`2026-11-26T05:40:00.000Z`, `…+02:00`) on the calendar (no 30 February);
 *   endedAt is '' while the run is running;
 * - device.serial is 1–128 characters with no control characters and not only blanks: exactly what
 *   GET /v1/devices/{serial} can look up;
 * - free-form JSON (step evidence, diagnostic values) is at most RECORD_BOUNDS.jsonDepth levels deep, with bounded
 *   keys, strings and arrays, finite numbers and no `__proto__` key — checked by an explicit stack, never by
 *   recursion, so no input can overflow the stack;
 * - the whole record, as stored, is at most RECORD_BOUNDS.recordBytes (checked by the registry after encoding).
 *
 * The bounds also appear in the JSON Schema (z.toJSONSchema) where JSON Schema can say them, so the OpenAPI
 * document (resources/registry-openapi.yaml) states them; a test keeps the two equal.
 */
import { z } from 'zod';
import { certificateRecordSchema, diagnosticResultSchema, rollbackRecordSchema, runRecordSchema, serviceSectionSchema, stepRecordSchema } from '../run-record';

export const RECORD_BOUNDS = {
  /** Levels of nesting in free-form JSON: `{}` is one level, `{"a":{}}` two. */
  jsonDepth: 32,
  /** Keys of any one object in free-form JSON; variables per run. */
  objectKeys: 1000,
  /** Items of any one array in free-form JSON. */
  arrayItems: 10_000,
  /** UTF-16 code units of any string in free-form JSON, and of a variable's value. */
  stringChars: 64 * 1024,
  /** UTF-16 code units of a key in free-form JSON or of a variable's name. */
  keyChars: 256,
  /** Rollback actions of one run. */
  rollbackActions: 64,
  /** UTF-16 code units of a device serial. */
  serialChars: 128,
  /** UTF-16 code units of a site name (the run's `site`). */
  siteChars: 128,
  /** UTF-16 code units of a service record's operator. */
  operatorChars: 200,
  /** Bytes of one record as stored (canonical JSON). */
  recordBytes: 1024 * 1024,
} as const;

/**
 * The longest path segment a serial of RECORD_BOUNDS.serialChars can take in a URL: every UTF-16 unit percent-encoded
 * as up to 3 UTF-8 bytes of 3 characters each (a surrogate pair is 4 bytes for 2 units: less).
 */
export const SERIAL_PATH_CHARS = RECORD_BOUNDS.serialChars * 9;

const LOWER_UUID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/;

export const lowerUuidSchema = z.string().regex(LOWER_UUID, 'must be a UUID in lower-case hex (e.g. 0b7e2f1a-4c3d-4e5f-9a8b-1c2d3e4f5a6b)');

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** An ISO-8601 time with seconds and a zone, whose every field is in range (Date.parse would roll 30 Feb into March). */
export function isIsoTime(text: string): boolean {
  const m = ISO_TIME.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second, zoneHour = 0, zoneMinute = 0] = m.slice(1).map((part) => Number(part ?? 0));
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  return month! >= 1 && month! <= 12 && day! >= 1 && day! <= daysInMonth && hour! <= 23 && minute! <= 59 && second! <= 59 && zoneHour <= 23 && zoneMinute <= 59;
}

const TIME_MESSAGE = 'must be an ISO-8601 time with seconds and a zone, such as 2026-11-26T05:40:00.000Z';

export const isoTimeSchema = z.string().max(40).refine(isIsoTime, TIME_MESSAGE).meta({ pattern: ISO_TIME.source });

/** A run's end: '' while it is running, else a time. */
const endedAtSchema = z
  .string()
  .max(40)
  .refine((s) => s === '' || isIsoTime(s), `must be '' (still running) or ${TIME_MESSAGE.replace('must be ', '')}`)
  .meta({ pattern: `^$|${ISO_TIME.source}` });

/** Printable (no control characters), not only blanks: a serial a URL can carry and a technician can type. */
const SERIAL = /^[^\p{Cc}]*[^\p{Cc}\s][^\p{Cc}]*$/u;

export const serialSchema = z
  .string()
  .min(1)
  .max(RECORD_BOUNDS.serialChars)
  .regex(SERIAL, 'must be printable (no control characters) and not only blanks');

/**
 * A site name (`site=berlin-1`): the serial's rule — printable, not only blanks, at most RECORD_BOUNDS.siteChars — so
 * `GET /v1/devices?site=…` can carry any site a record names, and a site that no record could name is a 400.
 */
export const siteSchema = z
  .string()
  .min(1)
  .max(RECORD_BOUNDS.siteChars)
  .regex(SERIAL, 'must be printable (no control characters) and not only blanks');

/** Where a free-form value broke a bound: the path inside the value (`.a.b.0`), and what. */
export interface JsonProblem {
  at: string;
  message: string;
}

interface Frame {
  value: unknown;
  depth: number;
  parent: Frame | undefined;
  key: string;
}

function pathOf(frame: Frame): string {
  const parts: string[] = [];
  for (let f: Frame | undefined = frame; f?.parent; f = f.parent) parts.push(f.key);
  parts.reverse();
  // A path 2,000 levels deep says nothing more than its first few steps and its length.
  const shown = parts.slice(0, 6).map((p) => `.${p}`).join('');
  return parts.length > 6 ? `${shown}… (${parts.length} keys in)` : shown;
}

/** What is wrong with one value on its own (its children are checked when their turn comes), or undefined. */
function ownProblem(value: unknown, depth: number, bounds: typeof RECORD_BOUNDS): string | undefined {
  if (value === null || value === undefined || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : 'a number out of range';
  if (typeof value === 'string') return value.length > bounds.stringChars ? `a string longer than ${bounds.stringChars} characters` : undefined;
  if (typeof value !== 'object') return `a ${typeof value} is not JSON`;
  if (depth + 1 > bounds.jsonDepth) return `nested deeper than ${bounds.jsonDepth} levels`;
  if (Array.isArray(value)) return value.length > bounds.arrayItems ? `an array of more than ${bounds.arrayItems} items` : undefined;
  const keys = Object.keys(value);
  if (keys.length > bounds.objectKeys) return `an object of more than ${bounds.objectKeys} keys`;
  for (const key of keys) {
    // JSON.parse makes `__proto__` an own key; assigned anywhere later, it would set a prototype instead.
    if (key === '__proto__') return 'a key named __proto__';
    if (key.length > bounds.keyChars) return `a key longer than ${bounds.keyChars} characters`;
  }
  return undefined;
}

/** Whether every value under `root` is within bounds: two flat stacks, no object per node (this runs on every record). */
function withinBounds(root: unknown, bounds: typeof RECORD_BOUNDS): boolean {
  const values: unknown[] = [root];
  const depths: number[] = [0];
  while (depths.length > 0) {
    const value = values.pop();
    const depth = depths.pop()!;
    if (ownProblem(value, depth, bounds) !== undefined) return false;
    if (value === null || typeof value !== 'object') continue;
    const children = Array.isArray(value) ? (value as unknown[]) : Object.values(value);
    for (const child of children) {
      values.push(child);
      depths.push(depth + 1);
    }
  }
  return true;
}

/** The first problem found with its path: the slower walk, run only once withinBounds() said there is one. */
function locateProblem(root: unknown, bounds: typeof RECORD_BOUNDS): JsonProblem | undefined {
  const stack: Frame[] = [{ value: root, depth: 0, parent: undefined, key: '' }];
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    const { value, depth } = frame;
    const message = ownProblem(value, depth, bounds);
    if (message !== undefined) return { at: pathOf(frame), message };
    if (value === null || typeof value !== 'object') continue;
    // Pushed last to first, so the first problem in document order is the one reported.
    const entries = Object.entries(value);
    for (let i = entries.length - 1; i >= 0; i -= 1) stack.push({ value: entries[i]![1] as unknown, depth: depth + 1, parent: frame, key: entries[i]![0] });
  }
  return undefined;
}

/**
 * The first way `root` breaks the free-form JSON bounds, or undefined. Iterative (explicit stacks), so its own
 * depth is no risk; each walk stops at its first problem, so its work is bounded by the input's size.
 */
export function jsonBoundsProblem(root: unknown, bounds: typeof RECORD_BOUNDS = RECORD_BOUNDS): JsonProblem | undefined {
  return withinBounds(root, bounds) ? undefined : locateProblem(root, bounds);
}

/** Adds the free-form bounds to a schema: the issue lands on the field (`steps.0.evidence`), the message says where inside. */
function boundedJson<T extends z.ZodType>(schema: T): T {
  return schema.superRefine((value, ctx) => {
    const problem = jsonBoundsProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `${problem.message}${problem.at ? ` (at ${problem.at})` : ''}` });
  }) as unknown as T;
}

const freeJson = boundedJson(z.unknown());

const stepSchema = stepRecordSchema.extend({
  startedAt: isoTimeSchema,
  endedAt: isoTimeSchema,
  evidence: boundedJson(z.record(z.string().max(RECORD_BOUNDS.keyChars), z.unknown()).meta({ maxProperties: RECORD_BOUNDS.objectKeys })),
});

const limitValue = z.union([z.number(), z.string().max(256)]);

const diagnosticSchema = diagnosticResultSchema.extend({
  value: freeJson,
  limits: z.object({ min: limitValue.optional(), max: limitValue.optional(), pattern: z.string().max(1024).optional(), expected: freeJson.optional() }),
});

const certificateSchema = certificateRecordSchema.extend({ notBefore: isoTimeSchema, notAfter: isoTimeSchema });

const rollbackSchema = rollbackRecordSchema.extend({
  startedAt: isoTimeSchema,
  endedAt: isoTimeSchema,
  actions: rollbackRecordSchema.shape.actions.max(RECORD_BOUNDS.rollbackActions),
});

/** What the device held before and after a service action: free-form JSON, bounded as step evidence is. */
const serviceStateSchema = boundedJson(z.record(z.string().max(RECORD_BOUNDS.keyChars), z.unknown()).meta({ maxProperties: RECORD_BOUNDS.objectKeys }));

const serviceSchema = serviceSectionSchema.extend({
  // May be empty (a station without operators and no operator in its settings), never a control character.
  operator: z
    .string()
    .max(RECORD_BOUNDS.operatorChars)
    .regex(/^[^\p{Cc}]*$/u, 'must be printable (no control characters)'),
  basedOnRunId: lowerUuidSchema.optional(),
  before: serviceStateSchema,
  after: serviceStateSchema,
});

/**
 * A run record the registry accepts. Its output is what the registry stores (unknown fields dropped), before the
 * registry stamps the station (registry/records.ts).
 */
export const registryRunRecordSchema = runRecordSchema.extend({
  id: lowerUuidSchema,
  previousRunId: lowerUuidSchema.optional(),
  device: runRecordSchema.shape.device.extend({ serial: serialSchema }),
  variables: z
    .record(z.string().max(RECORD_BOUNDS.keyChars), z.string().max(RECORD_BOUNDS.stringChars))
    .refine((v) => Object.keys(v).length <= RECORD_BOUNDS.objectKeys, `at most ${RECORD_BOUNDS.objectKeys} variables`)
    .meta({ maxProperties: RECORD_BOUNDS.objectKeys }),
  startedAt: isoTimeSchema,
  endedAt: endedAtSchema,
  steps: z.array(stepSchema).max(64),
  diagnostics: z.array(diagnosticSchema).max(1000),
  certificate: certificateSchema.optional(),
  rollback: rollbackSchema.optional(),
  replaces: serialSchema.optional(),
  site: siteSchema.optional(),
  service: serviceSchema.optional(),
});
export type RegistryRunRecord = z.infer<typeof registryRunRecordSchema>;
