/**
 * JSON the store can rely on. JSON.stringify silently turns NaN into null, a Uint8Array into {"0":…} and a Date into
 * a string, so a record would not read back as it was written; here such values are refused (a bug in the caller,
 * hence a thrown TypeError, not a FieldlineError). The canonical form (keys sorted by code unit, no whitespace) is
 * what the audit chain hashes, so the same details always give the same bytes — and what the registry's bundle
 * manifests and record checks hash, which is why it is in main/contract/ (pure, imported by store and registry alike).
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function encode(value: unknown, sortKeys: boolean, path: string): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${path}: ${value} has no JSON form`);
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        return `[${value.map((item, i) => {
          // JSON.stringify would write null here, so [undefined] would read back as [null].
          if (item === undefined) throw new TypeError(`${path}[${i}]: undefined has no JSON form`);
          return encode(item, sortKeys, `${path}[${i}]`);
        }).join(',')}]`;
      }
      if (!isPlainObject(value)) {
        throw new TypeError(`${path}: ${value.constructor?.name ?? 'object'} is not plain JSON (convert it to a string or number first)`);
      }
      const keys = Object.keys(value);
      if (sortKeys) keys.sort();
      const parts: string[] = [];
      for (const key of keys) {
        const item = (value as Record<string, unknown>)[key];
        // An absent optional property is written as `key: undefined` often enough in TypeScript: drop it, as
        // JSON.stringify does, since reading back gives an object without the key, which is what was meant.
        if (item === undefined) continue;
        parts.push(`${JSON.stringify(key)}:${encode(item, sortKeys, `${path}.${key}`)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      throw new TypeError(`${path}: a ${typeof value} has no JSON form`);
  }
}

/** JSON text of `value`, keys in their own order; throws a TypeError for anything that would not read back equal. */
export function strictJson(value: unknown, what = 'value'): string {
  return encode(value, false, what);
}

/** Thrown by sortedCopy for anything but ordinary JSON: encode() then does the work, and words any refusal. */
const NOT_ORDINARY = Symbol('not ordinary JSON');
/** Keys JavaScript orders before all others whatever their insertion order (array indexes), or that set a prototype. */
const SPECIAL_KEY = /^(?:0|[1-9][0-9]*|__proto__)$/;

/** A copy of `value` whose objects hold their keys in sorted order, so JSON.stringify writes the canonical text. */
function sortedCopy(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw NOT_ORDINARY;
      return value;
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) {
        const copy: unknown[] = new Array(value.length);
        for (let i = 0; i < value.length; i++) {
          if (value[i] === undefined) throw NOT_ORDINARY;
          copy[i] = sortedCopy(value[i]);
        }
        return copy;
      }
      if (!isPlainObject(value)) throw NOT_ORDINARY;
      const copy: Record<string, unknown> = {};
      for (const key of Object.keys(value).sort()) {
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined) continue;
        if (SPECIAL_KEY.test(key)) throw NOT_ORDINARY;
        copy[key] = sortedCopy(item);
      }
      return copy;
    }
    default:
      throw NOT_ORDINARY;
  }
}

/**
 * Canonical JSON text: as strictJson, with the keys of every object sorted. Ordinary JSON (what a parsed and
 * validated record is) is copied with its keys in order and written by the native JSON.stringify — the same text,
 * at a third of the cost, which the registry pays for every record it receives; anything else (a key JavaScript
 * would reorder, a value with no JSON form) goes through encode(), which writes it or says where it is refused.
 */
export function canonicalJson(value: unknown, what = 'value'): string {
  let copy: unknown;
  try {
    copy = sortedCopy(value);
  } catch (err) {
    if (err !== NOT_ORDINARY) throw err;
    return encode(value, true, what);
  }
  return JSON.stringify(copy);
}
