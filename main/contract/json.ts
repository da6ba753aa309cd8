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

/** Canonical JSON text: as strictJson, with the keys of every object sorted. */
export function canonicalJson(value: unknown, what = 'value'): string {
  return encode(value, true, what);
}
