/**
 * Strict reading of an RFC 4514 distinguished name such as "CN=GW-00A1,O=Acme". @peculiar/x509's Name parser is
 * lenient (it turns "garbage" into an empty name), and the identity group must answer BAD_SUBJECT for a subject that
 * does not parse, so the syntax is checked here and the attribute list is handed to x509.Name as JSON.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

const DESCRIPTOR = /^[A-Za-z][A-Za-z0-9-]*$/;
const NUMERICOID = /^(?:0|[1-9]\d*)(?:\.(?:0|[1-9]\d*))+$/;
const HEX_VALUE = /^#(?:[0-9A-Fa-f]{2})+$/;
/** Characters that must be escaped inside a value (RFC 4514 §2.4); unescaped ',' and '+' are separators. */
const MUST_ESCAPE = new Set(['"', ';', '<', '>']);
const ESCAPABLE = new Set([' ', '"', '#', '+', ',', ';', '<', '=', '>', '\\']);

type Ava = [type: string, value: string];

/** Splits on unescaped `sep`, keeping escapes in the pieces. */
function splitUnescaped(text: string, seps: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\') {
      cur += c + (text[i + 1] ?? '');
      i++;
    } else if (seps.includes(c)) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

/** Unescapes a string value; undefined when it breaks RFC 4514's rules. */
function unescapeValue(raw: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c === '\\') {
      const next = raw.slice(i + 1, i + 3);
      if (/^[0-9A-Fa-f]{2}$/.test(next)) {
        bytes.push(parseInt(next, 16));
        i += 2;
      } else if (ESCAPABLE.has(raw[i + 1] ?? '')) {
        bytes.push(...Buffer.from(raw[i + 1] as string, 'utf8'));
        i += 1;
      } else return undefined;
    } else if (MUST_ESCAPE.has(c) || c === '\u0000') {
      return undefined;
    } else bytes.push(...Buffer.from(c, 'utf8'));
  }
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    return decoder.decode(new Uint8Array(bytes));
  } catch {
    return undefined;
  }
}

function parseAva(text: string): Ava | undefined {
  const eq = text.indexOf('=');
  if (eq < 0) return undefined;
  const type = text.slice(0, eq).trim();
  if (!DESCRIPTOR.test(type) && !NUMERICOID.test(type)) return undefined;
  // Spaces around separators are tolerated (people write "CN=a, O=b"); an escaped trailing space is kept.
  let raw = text.slice(eq + 1).replace(/^ +/, '');
  while (raw.endsWith(' ') && !raw.endsWith('\\ ')) raw = raw.slice(0, -1);
  if (raw.length === 0) return undefined;
  if (raw.startsWith('#')) return HEX_VALUE.test(raw) ? [type, raw] : undefined;
  const value = unescapeValue(raw);
  return value === undefined || value.length === 0 ? undefined : [type, value];
}

/** The subject as an x509.Name, or undefined when the text is not a non-empty RFC 4514 name x509 understands. */
export function parseDistinguishedName(text: string): x509.Name | undefined {
  if (text.trim().length === 0) return undefined;
  const rdns: Ava[][] = [];
  for (const rdn of splitUnescaped(text, ',')) {
    const avas: Ava[] = [];
    for (const piece of splitUnescaped(rdn, '+')) {
      const ava = parseAva(piece);
      if (!ava) return undefined;
      avas.push(ava);
    }
    rdns.push(avas);
  }
  const json = rdns.map((avas) => {
    const entry: Record<string, string[]> = {};
    for (const [type, value] of avas) {
      const list = Object.prototype.hasOwnProperty.call(entry, type) ? (entry[type] as string[]) : [];
      list.push(value);
      Object.defineProperty(entry, type, { value: list, enumerable: true, writable: true, configurable: true });
    }
    return entry;
  });
  try {
    // x509 throws for attribute names it has no OID for ("FOO=bar").
    const name = new x509.Name(json);
    name.toArrayBuffer();
    return name;
  } catch {
    return undefined;
  }
}
