import { describe, expect, it } from 'vitest';
import { formatName, normalizeName, parseDistinguishedName, sameName } from './dn';

function name(text: string) {
  const parsed = parseDistinguishedName(text);
  if (!parsed) throw new Error(`does not parse: ${text}`);
  return parsed;
}

describe('distinguished names', () => {
  it('rejects what is not an RFC 4514 name we can encode', () => {
    for (const text of ['garbage', '', '  ', 'CN=', 'FOO=bar', 'CN=a,,O=b', 'CN=a;b', 'CN=a\\q', 'C=Deutschland!', 'E=ä@x']) {
      expect(parseDistinguishedName(text), text).toBeUndefined();
    }
  });

  it('reads attribute names in any case, long forms and OIDs', () => {
    const expected = normalizeName(name('CN=GW-1, O=Acme'));
    for (const text of ['cn=GW-1,o=Acme', 'commonName=GW-1, organizationName=Acme', '2.5.4.3=GW-1 , 2.5.4.10=Acme']) {
      expect(normalizeName(name(text)), text).toEqual(expected);
    }
  });

  it('prints attributes x509 has no short name for by their RFC 4519 names', () => {
    expect(formatName(name('serialNumber=00A1,CN=gw'))).toBe('serialNumber=00A1, CN=gw');
  });

  it('keeps escaped characters exactly (no second round of unescaping)', () => {
    expect(name('CN=a\\\\b\\, c').getField('CN')).toEqual(['a\\b, c']);
    expect(name('O=R\\C3\\A9seau').getField('O')).toEqual(['Réseau']);
  });

  it('compares structure: spacing, attribute-name case and multi-valued RDN order do not matter', () => {
    expect(sameName(name('CN=GW-1,O=Acme'), name('cn = GW-1 ,  o=Acme'))).toBe(true);
    expect(sameName(name('CN=GW-1+serialNumber=7,O=Acme'), name('serialnumber=7+CN=GW-1, O=Acme'))).toBe(true);
    expect(sameName(name('CN=Big  Gateway'), name('CN=Big Gateway'))).toBe(true);
  });

  it('tells different names apart: values (case-sensitive), order of RDNs, missing attributes', () => {
    expect(sameName(name('CN=GW-1,O=Acme'), name('CN=GW-2,O=Acme'))).toBe(false);
    expect(sameName(name('CN=GW-1,O=Acme'), name('CN=gw-1,O=Acme'))).toBe(false);
    expect(sameName(name('CN=GW-1,O=Acme'), name('O=Acme,CN=GW-1'))).toBe(false);
    expect(sameName(name('CN=GW-1,O=Acme'), name('CN=GW-1'))).toBe(false);
    expect(sameName(name('CN=GW-1,O=Acme'), name('CN=GW-1+O=Acme'))).toBe(false);
  });
});
