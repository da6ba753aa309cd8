/**
 * Distinguished names: a strict RFC 4514 reader and a structural comparison. @peculiar/x509's own string parser is
 * lenient (it turns "garbage" into an empty name) and its attribute names are case-sensitive, so the syntax is
 * checked here, attribute types are mapped to OIDs case-insensitively (RFC 4514 §3), and the attribute list is handed
 * to x509.Name as JSON. Used by the station CA (subjects from profiles), the CSR check and the virtual gateways.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

const DESCRIPTOR = /^[A-Za-z][A-Za-z0-9-]*$/;
const NUMERICOID = /^(?:0|[1-9]\d*)(?:\.(?:0|[1-9]\d*))+$/;
const HEX_VALUE = /^#(?:[0-9A-Fa-f]{2})+$/;
/** Characters that must be escaped inside a value (RFC 4514 §2.4); unescaped ',' and '+' are separators. */
const MUST_ESCAPE = new Set(['"', ';', '<', '>']);
const ESCAPABLE = new Set([' ', '"', '#', '+', ',', ';', '<', '=', '>', '\\']);

const OID = {
  CN: '2.5.4.3',
  SN: '2.5.4.4',
  serialNumber: '2.5.4.5',
  C: '2.5.4.6',
  L: '2.5.4.7',
  ST: '2.5.4.8',
  street: '2.5.4.9',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  T: '2.5.4.12',
  postalCode: '2.5.4.17',
  G: '2.5.4.42',
  I: '2.5.4.43',
  dnQualifier: '2.5.4.46',
  pseudonym: '2.5.4.65',
  organizationIdentifier: '2.5.4.97',
  UID: '0.9.2342.19200300.100.1.1',
  DC: '0.9.2342.19200300.100.1.25',
  E: '1.2.840.113549.1.9.1',
} as const;

/** Descriptors accepted in subjects (lower-cased), long and short forms as OpenSSL and RFC 4519 spell them. */
const DESCRIPTORS: ReadonlyMap<string, string> = new Map(
  Object.entries({
    cn: OID.CN, commonname: OID.CN,
    sn: OID.SN, surname: OID.SN,
    serialnumber: OID.serialNumber,
    c: OID.C, countryname: OID.C,
    l: OID.L, localityname: OID.L,
    st: OID.ST, stateorprovincename: OID.ST,
    street: OID.street, streetaddress: OID.street,
    o: OID.O, organizationname: OID.O,
    ou: OID.OU, organizationalunitname: OID.OU,
    t: OID.T, title: OID.T,
    postalcode: OID.postalCode,
    g: OID.G, givenname: OID.G,
    i: OID.I, initials: OID.I,
    dnqualifier: OID.dnQualifier,
    pseudonym: OID.pseudonym,
    organizationidentifier: OID.organizationIdentifier,
    uid: OID.UID, userid: OID.UID,
    dc: OID.DC, domaincomponent: OID.DC,
    e: OID.E, emailaddress: OID.E,
  }),
);

/** Names x509 has no short form for, so that toString() prints "serialNumber=…" rather than "2.5.4.5=…". */
export const EXTRA_NAMES: Record<string, string> = {
  serialNumber: OID.serialNumber,
  street: OID.street,
  postalCode: OID.postalCode,
  dnQualifier: OID.dnQualifier,
  pseudonym: OID.pseudonym,
  organizationIdentifier: OID.organizationIdentifier,
  UID: OID.UID,
};

/** X.520 makes these PrintableString; PKCS#9 and RFC 4519 make these IA5String; everything else is UTF8String. */
const PRINTABLE_ONLY = new Set<string>([OID.C, OID.serialNumber, OID.dnQualifier]);
const IA5 = new Set<string>([OID.E, OID.DC]);
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

const isAscii = (text: string): boolean => [...text].every((c) => c.charCodeAt(0) < 0x80);

type Ava = [oid: string, value: string];
type JsonValue = string | { printableString: string } | { ia5String: string } | { utf8String: string };

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
  const oid = NUMERICOID.test(type) ? type : DESCRIPTOR.test(type) ? DESCRIPTORS.get(type.toLowerCase()) : undefined;
  if (oid === undefined) return undefined;
  // Spaces around separators are tolerated (people write "CN=a, O=b"); an escaped trailing space is kept.
  let raw = text.slice(eq + 1).replace(/^ +/, '');
  while (raw.endsWith(' ') && !raw.endsWith('\\ ')) raw = raw.slice(0, -1);
  if (raw.length === 0) return undefined;
  if (raw.startsWith('#')) return HEX_VALUE.test(raw) ? [oid, raw] : undefined;
  const value = unescapeValue(raw);
  return value === undefined || value.length === 0 ? undefined : [oid, value];
}

/**
 * The value as x509 should encode it. Strings go in as `{ type: value }` objects because x509 would otherwise
 * unescape them a second time (a backslash in a value would vanish); undefined when the type cannot hold the text.
 */
function jsonValue(oid: string, value: string): JsonValue | undefined {
  if (value.startsWith('#')) return value;
  if (PRINTABLE_ONLY.has(oid)) return PRINTABLE.test(value) ? { printableString: value } : undefined;
  if (IA5.has(oid)) return isAscii(value) ? { ia5String: value } : undefined;
  return { utf8String: value };
}

/** The subject as an x509.Name, or undefined when the text is not a non-empty RFC 4514 name we understand. */
export function parseDistinguishedName(text: string): x509.Name | undefined {
  if (text.trim().length === 0) return undefined;
  const json: Array<Record<string, JsonValue[]>> = [];
  for (const rdn of splitUnescaped(text, ',')) {
    const entry: Record<string, JsonValue[]> = {};
    for (const piece of splitUnescaped(rdn, '+')) {
      const ava = parseAva(piece);
      if (!ava) return undefined;
      const value = jsonValue(ava[0], ava[1]);
      if (value === undefined) return undefined;
      const list = Object.hasOwn(entry, ava[0]) ? (entry[ava[0]] as JsonValue[]) : [];
      list.push(value);
      Object.defineProperty(entry, ava[0], { value: list, enumerable: true, writable: true, configurable: true });
    }
    json.push(entry);
  }
  try {
    const name = new x509.Name(json as x509.JsonNameParams, EXTRA_NAMES);
    name.toArrayBuffer(); // x509 throws here for values it cannot encode
    return name;
  } catch {
    return undefined;
  }
}

/** Re-reads a name (from a certificate or CSR) so it prints with the same attribute names as parsed subjects. */
export function withNames(name: x509.Name): x509.Name {
  return new x509.Name(name.toArrayBuffer(), EXTRA_NAMES);
}

/** RFC 4514 text of a name, e.g. "CN=GW-0001, O=Acme". */
export function formatName(name: x509.Name): string {
  return withNames(name).toString();
}

/**
 * A comparable form of a name: one sorted list of "type=value" per RDN (multi-valued RDNs are sets), with values
 * trimmed and inner runs of white space folded to one space (RFC 4518 "insignificant space"). The string type
 * (PrintableString or UTF8String) does not matter. Values stay case-sensitive: a subject carries the device's
 * serial, and "gw-00a1" and "GW-00A1" are not the same device to everything that reads the certificate later.
 */
export function normalizeName(name: x509.Name): string[][] {
  return normalizeNamed(withNames(name));
}

/** normalizeName of a name that has been through withNames already (re-reading it costs a DER round trip). */
export function normalizeNamed(named: x509.Name): string[][] {
  return named
    .toJSON()
    .map((rdn) =>
      Object.entries(rdn)
        .flatMap(([type, values]) =>
          values.map((v) => `${type}=${v.startsWith('#') ? v.toLowerCase() : v.normalize('NFC').trim().replace(/\s+/g, ' ')}`),
        )
        .sort(),
    );
}

export function sameName(a: x509.Name, b: x509.Name): boolean {
  return JSON.stringify(normalizeName(a)) === JSON.stringify(normalizeName(b));
}
