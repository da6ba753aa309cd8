import { describe, expect, it } from 'vitest';
import { FieldlineError } from '../errors';
import { parseProfile } from './load';
import { collectReferences, escapeDnValue, renderProfile, renderTemplate, resolveVariables, scanTemplate, variablePattern } from './template';

const facts = { device: { serial: 'A1B2', firmwareVersion: '1.0.0' }, station: { name: 'line-3' }, vars: { site: 'MUC-3' } };

function thrown(fn: () => unknown): FieldlineError {
  try {
    fn();
  } catch (err) {
    if (err instanceof FieldlineError) return err;
    throw err;
  }
  throw new Error('expected a FieldlineError');
}

describe('template syntax', () => {
  it('collects references with their filters and offsets', () => {
    expect(collectReferences('CN={{ device.serial }},OU={{vars.site|lower | upper}}')).toEqual([
      { raw: '{{ device.serial }}', index: 3, namespace: 'device', name: 'serial', filters: [] },
      { raw: '{{vars.site|lower | upper}}', index: 26, namespace: 'vars', name: 'site', filters: ['lower', 'upper'] },
    ]);
    expect(collectReferences('no templates here')).toEqual([]);
  });

  it('reports malformed references', () => {
    expect(scanTemplate('{{ }} {{ site }} {{ a.b.c }} {{ vars.x | nope }} {{ open').errors.map((e) => e.message)).toEqual([
      'empty reference in {{ }}',
      '"site" is not of the form namespace.name (for example vars.site or device.serial) in {{ site }}',
      '"a.b.c" is not of the form namespace.name (for example vars.site or device.serial) in {{ a.b.c }}',
      'unknown filter "nope" (known: lower, upper, json) in {{ vars.x | nope }}',
      '"{{" is never closed with "}}"',
    ]);
  });

  it('renders facts and filters', () => {
    expect(renderTemplate('{{ device.serial | lower }}@{{ station.name | upper }}/{{ vars.site }}', facts)).toBe('a1b2@LINE-3/MUC-3');
    expect(renderTemplate('{"s": {{ vars.site | json }}}', { vars: { site: 'a"b' } })).toBe('{"s": "a\\"b"}');
  });

  it('names every missing variable', () => {
    const err = thrown(() => renderTemplate('{{ vars.a }} {{ vars.b }} {{ device.serial }} {{ vars.a }}', { vars: {} }));
    expect(err.code).toBe('TEMPLATE_MISSING_VARIABLE');
    expect(err.message).toBe('vars.a, vars.b, device.serial (pass --var a=… --var b=…)');
    expect(err.details.missing).toEqual(['vars.a', 'vars.b', 'device.serial']);
  });

  it('escapes RFC 4514 specials in subject values', () => {
    expect(escapeDnValue('Acme, Inc. +1')).toBe('Acme\\, Inc. \\+1');
    expect(escapeDnValue(' #x ')).toBe('\\ #x\\ ');
    expect(escapeDnValue('#x')).toBe('\\#x');
    expect(escapeDnValue(' ')).toBe('\\ ');
    expect(escapeDnValue('a\\b"c;<>')).toBe('a\\\\b\\"c\\;\\<\\>');
  });
});

const PROFILE = `apiVersion: fieldline/v1
name: t
version: 1.0.0
variables:
  site: {default: DEV-1, pattern: "[A-Z]{3}-[0-9]+"}
  interval: {default: "60"}
  batch: {}
identity:
  subject: "CN={{ device.serial }},OU={{ vars.site }}"
  sans: ["DNS:{{ device.serial | lower }}.example"]
settings:
  s/name: {type: string, value: "{{ vars.site }}-{{ station.name }}"}
  s/interval: {type: integer, encoding: u16, value: "{{ vars.interval }}"}
  s/fixed: {type: integer, encoding: i8, value: -2}
  s/on: {type: boolean, value: true}
  s/off: {type: boolean, value: false}
  s/blob: {type: bytes, value: "DEADbeef"}
files:
  - path: /lfs/config/site.json
    template: '{"site": {{ vars.site | json }}}'
`;

describe('renderProfile', () => {
  const { profile } = parseProfile(PROFILE, 't.yaml');

  it('renders subject, SANs, settings (encoded) and files', () => {
    const r = renderProfile(profile, { ...facts, vars: { site: 'MUC-3', batch: '7' } });
    expect(r.subject).toBe('CN=A1B2,OU=MUC-3');
    expect(r.sans).toEqual(['DNS:a1b2.example']);
    expect(r.variables).toEqual({ site: 'MUC-3', batch: '7', interval: '60' });
    expect(r.settings.map((s) => [s.name, s.encoding, Buffer.from(s.bytes).toString('hex'), s.display])).toEqual([
      ['s/name', 'text', Buffer.from('MUC-3-line-3').toString('hex'), 'MUC-3-line-3'],
      ['s/interval', 'u16', '3c00', '60'],
      ['s/fixed', 'i8', 'fe', '-2'],
      ['s/on', 'bool', '01', 'true'],
      ['s/off', 'bool', '00', 'false'],
      ['s/blob', 'hex', 'deadbeef', 'deadbeef'],
    ]);
    expect(r.files).toEqual([{ path: '/lfs/config/site.json', content: new TextEncoder().encode('{"site": "MUC-3"}') }]);
  });

  it('applies defaults', () => {
    const r = renderProfile(profile, { device: facts.device, station: facts.station, vars: {} });
    expect(r.settings[0]?.display).toBe('DEV-1-line-3');
  });

  it('reports every missing fact at once, before anything is rendered', () => {
    const err = thrown(() => renderProfile(profile, { vars: {} }));
    expect(err.code).toBe('TEMPLATE_MISSING_VARIABLE');
    expect(err.details.missing).toEqual(['device.serial', 'station.name']);
  });

  it('refuses values failing their pattern, and variables the profile does not declare', () => {
    const err = thrown(() => renderProfile(profile, { ...facts, vars: { site: 'muc', stie: 'MUC-1' } }));
    expect(err.code).toBe('TEMPLATE_VARIABLE_INVALID');
    expect(err.details.problems).toEqual([
      '"stie" is not a variable of this profile (it declares: site, interval, batch)',
      'site="muc" does not match [A-Z]{3}-[0-9]+',
    ]);
    // The pattern must match the whole value.
    expect(() => resolveVariables(profile, { site: 'xMUC-3x' })).toThrow(FieldlineError);
  });

  it('refuses an integer setting whose rendered value is not an integer that fits', () => {
    for (const interval of ['abc', '', '0x10', '70000']) {
      const err = thrown(() => renderProfile(profile, { ...facts, vars: { interval } }));
      expect(err.code).toBe('TEMPLATE_VARIABLE_INVALID');
      expect(err.message).toMatch(/^setting s\/interval: /);
    }
  });

  it('escapes variable values inside the subject only', () => {
    const r = renderProfile(parseProfile(PROFILE.replace('pattern: "[A-Z]{3}-[0-9]+"', ''), 't.yaml').profile, {
      ...facts,
      vars: { site: 'A,B' },
    });
    expect(r.subject).toBe('CN=A1B2,OU=A\\,B');
    expect(r.settings[0]?.display).toBe('A,B-line-3');
  });

  it('gives an empty subject when the profile asks for no identity', () => {
    const r = renderProfile(parseProfile('apiVersion: fieldline/v1\nname: t\nversion: 1.0.0\n', 't.yaml').profile, {});
    expect(r).toEqual({ subject: '', sans: [], settings: [], files: [], variables: {} });
  });
});

describe('variablePattern', () => {
  it('anchors the whole value, and refuses a pattern that would break out of the anchors', () => {
    expect(variablePattern('[A-Z]+').test('ABC')).toBe(true);
    expect(variablePattern('[A-Z]+').test('xABC')).toBe(false);
    expect(variablePattern('A|B').test('AB')).toBe(false);
    expect(() => variablePattern('a)|(b')).toThrow(/does not compile/);
  });
});
