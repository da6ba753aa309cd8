import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isFieldlineError } from '../errors';
import { formatProblem, lintProfile, loadProfile, parseProfile, profileProblems, type ProfileProblem } from './load';

const MINIMAL = 'apiVersion: fieldline/v1\nname: minimal\nversion: 1.0.0\n';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fieldline-profile-'));
  dirs.push(dir);
  return dir;
}

/** Problems keyed "line path: message" for compact assertions. */
function summary(problems: ProfileProblem[]): string[] {
  return problems.map((p) => `${p.line} ${p.path}: ${p.message}`);
}

describe('parseProfile', () => {
  it('fills defaults and hashes the exact bytes', () => {
    const loaded = parseProfile(MINIMAL, '/x/minimal.yaml');
    expect(loaded.profile).toMatchObject({
      kind: 'Profile',
      identify: { command: ['hwinfo', 'devid'], pattern: 'ID: 0x([0-9a-fA-F]+)' },
      settings: {},
      files: [],
      diagnostics: [],
      variables: {},
    });
    expect(loaded.sha256).toBe(createHash('sha256').update(MINIMAL).digest('hex'));
    expect(loaded.path).toBe('/x/minimal.yaml');
    expect(loaded.text).toBe(MINIMAL);
  });

  it('throws PROFILE_INVALID carrying every problem', () => {
    try {
      parseProfile('apiVersion: nope\nname: X\n', 'bad.yaml');
      expect.unreachable();
    } catch (err) {
      expect(isFieldlineError(err, 'PROFILE_INVALID')).toBe(true);
      const problems = (err as { details: { problems: ProfileProblem[] } }).details.problems;
      expect(summary(problems)).toEqual([
        '1 version: is required (string)',
        '1 apiVersion: must be "fieldline/v1"',
        '2 name: must be lower-case letters, digits, ".", "_" or "-"',
      ]);
    }
  });

  it('reports every schema problem at the line of its node, or of the nearest parent when missing', () => {
    const text = [
      'apiVersion: fieldline/v1', // 1
      'name: ok', // 2
      'version: 1.0', // 3
      'colour: blue', // 4
      'settings:', // 5
      '  app/site:', // 6
      '    type: string', // 7
      '  app/n:', // 8
      '    type: integer', // 9
      '    value: 1.5', // 10
      '  app/x:', // 11
      '    type: nope', // 12
      'diagnostics:', // 13
      '  - type: stat', // 14
      '    name: s', // 15
      '    group: smp', // 16
      'identity:', // 17
      '  mode: inject', // 18
      '  subject: CN=x', // 19
      '  files: {key: lfs/k, cert: /lfs/c}', // 20
    ].join('\n');
    const problems = profileProblems(text, 'p.yaml');
    expect(summary(problems)).toEqual([
      '3 version: must be text, but YAML reads it as a number: put it in quotes',
      '4 colour: unknown field "colour"',
      '6 settings.app/site.value: is required (string)',
      '10 settings.app/n.value: must be an integer or a string, not 1.5',
      '12 settings.app/x.type: must be one of string, integer, boolean, bytes, not "nope"',
      '14 diagnostics[0].field: is required (string)',
      '20 identity.files.key: must be an absolute device path like /lfs/certs/device.crt',
    ]);
    expect(problems[1]).toMatchObject({ line: 4, column: 1 });
    expect(problems[6]).toMatchObject({ line: 20, column: 16 });
  });

  it('reports YAML syntax errors with their lines, and duplicate keys along with schema problems', () => {
    const broken = profileProblems('apiVersion: fieldline/v1\nname: [a, b\nversion: 1.0.0\n', 'p.yaml');
    expect(broken.length).toBeGreaterThan(0);
    expect(broken.every((p) => p.path === '' && p.line >= 2)).toBe(true);

    const dup = profileProblems(`${MINIMAL}name: again\nextra: 1\n`, 'p.yaml');
    expect(summary(dup)).toEqual(['4 : Map keys must be unique', '5 extra: unknown field "extra"']);
  });

  it('points template problems at the reference, even inside a block of text', () => {
    const text = `${MINIMAL}variables:
  site: {default: A-1}
identity:
  subject: "CN={{ device.serail }},OU={{ vars.sitee }}"
  sans: ["DNS:{{ vars.site | title }}.example"]
files:
  - path: /lfs/config/a.json
    template: |
      line one
      {"s": {{ station.nam }}, "x": {{ foo.bar }}}
      {"y": {{ vars.site }
`;
    const problems = profileProblems(text, 'p.yaml');
    expect(problems.map((p) => formatProblem('p.yaml', p))).toEqual([
      'p.yaml:7:16 identity.subject: device has no "serail" (it has: serial, firmwareVersion)',
      'p.yaml:7:39 identity.subject: vars.sitee is not declared under variables (declared: site)',
      'p.yaml:8:15 identity.sans[0]: unknown filter "title" (known: lower, upper, json) in {{ vars.site | title }}',
      'p.yaml:13:13 files[0].template: station has no "nam" (it has: name)',
      'p.yaml:13:37 files[0].template: unknown namespace "foo" (use device, station, vars)',
      'p.yaml:14:13 files[0].template: "{{" is never closed with "}}"',
    ]);
  });

  it('checks patterns, unique names, integer ranges and limits', () => {
    const text = `${MINIMAL}variables:
  site: {default: muc, pattern: "[A-Z]+"}
  bad: {pattern: "(["}
identify:
  pattern: "ID: 0x[0-9a-f]+"
settings:
  a/u8: {type: integer, encoding: u8, value: 256}
  a/i8: {type: integer, encoding: i8, value: "-129"}
  a/s: {type: integer, value: "12 monkeys"}
  a/ok: {type: integer, encoding: u64, value: "18446744073709551615"}
files:
  - {path: /lfs/a, template: x}
  - {path: /lfs/a, template: y}
diagnostics:
  - {type: stat, name: d, group: smp, field: crc_errors, min: 5, max: 1}
  - {type: shell-number, name: d, command: [diag, temp], pattern: "temperature: [0-9]+"}
  - {type: shell-match, name: m, command: [diag, selftest], pattern: "PASS("}
`;
    expect(summary(profileProblems(text, 'p.yaml'))).toEqual([
      '5 variables.site.default: "muc" does not match the variable\'s own pattern [A-Z]+',
      expect.stringMatching(/^6 variables\.bad\.pattern: does not compile: /),
      '8 identify.pattern: needs a capture group ( … ) around the value to read',
      '10 settings.a/u8.value: 256 does not fit u8 (0 to 255)',
      '11 settings.a/i8.value: -129 does not fit i8 (-128 to 127)',
      '12 settings.a/s.value: "12 monkeys" is neither an integer nor a template',
      '16 files[1].path: /lfs/a is already written by the file at line 15',
      '18 diagnostics[0].min: min 5 is above max 1: nothing could pass',
      '19 diagnostics[1].name: diagnostic name "d" is already used (line 18); names must be unique',
      '19 diagnostics[1].pattern: needs a capture group ( … ) around the value to read',
      expect.stringMatching(/^20 diagnostics\[2\]\.pattern: does not compile: /),
    ]);
  });

  it('rejects text that is not UTF-8 and a document that is not a mapping', () => {
    expect(summary(profileProblems(Uint8Array.of(0x61, 0xff, 0x0a), 'p.yaml'))).toEqual(['1 : the file is not UTF-8 text']);
    expect(profileProblems('', 'p.yaml')).toHaveLength(1);
    expect(profileProblems('- a\n- b\n', 'p.yaml')[0]).toMatchObject({ path: '', line: 1 });
  });
});

describe('firmware image', () => {
  it('resolves the image relative to the profile and checks its SHA-256', async () => {
    const dir = await tempDir();
    const image = Buffer.from('not really an image');
    await writeFile(join(dir, 'fw.bin'), image);
    const sha = createHash('sha256').update(image).digest('hex');
    const profile = (s: string, name = 'fw.bin'): string => `${MINIMAL}firmware:\n  minVersion: 1.0.0\n  image: ${name}\n  sha256: "${s}"\n`;

    await writeFile(join(dir, 'good.yaml'), profile(sha.toUpperCase()));
    expect(await lintProfile(join(dir, 'good.yaml'))).toEqual([]);

    await writeFile(join(dir, 'wrong.yaml'), profile('0'.repeat(64)));
    expect(summary(await lintProfile(join(dir, 'wrong.yaml')))).toEqual([
      `7 firmware.sha256: does not match the image file ${join(dir, 'fw.bin')}, whose SHA-256 is ${sha}`,
    ]);

    await writeFile(join(dir, 'missing.yaml'), profile(sha, 'gone.bin'));
    expect(summary(await lintProfile(join(dir, 'missing.yaml')))).toEqual([
      `6 firmware.image: image file ${join(dir, 'gone.bin')}: not found (paths are relative to the profile)`,
    ]);
    // Checked away from its files (a profile received as text), the image is not looked for.
    expect(profileProblems(profile(sha, 'gone.bin'), join(dir, 'x.yaml'), { checkFiles: false })).toEqual([]);
  });

  it('loadProfile reads the file and lintProfile of a missing file is FILE_NOT_FOUND', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'p.yaml'), MINIMAL);
    expect((await loadProfile(join(dir, 'p.yaml'))).profile.name).toBe('minimal');
    await expect(lintProfile(join(dir, 'nope.yaml'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });
});
