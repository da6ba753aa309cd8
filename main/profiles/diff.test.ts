import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { configurationHash, diffConfiguration, diffFiles, diffSettings, displaySetting } from './diff';
import type { RenderedProfile } from './template';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

const rendered: Pick<RenderedProfile, 'settings' | 'files'> = {
  settings: [
    { name: 'app/site', encoding: 'text', bytes: enc('MUC-3'), display: 'MUC-3' },
    { name: 'app/interval', encoding: 'u32', bytes: Uint8Array.of(60, 0, 0, 0), display: '60' },
    { name: 'app/on', encoding: 'bool', bytes: Uint8Array.of(1), display: 'true' },
  ],
  files: [{ path: '/lfs/config/site.json', content: enc('{"site":"MUC-3"}') }],
};

describe('diffSettings', () => {
  it('lists only settings that differ or are missing, displayed in their encoding', () => {
    const actual = new Map<string, Uint8Array | undefined>([
      ['app/site', enc('MUC-3')],
      ['app/interval', Uint8Array.of(30, 0, 0, 0)],
    ]);
    expect(diffSettings(rendered.settings, actual)).toEqual([
      { kind: 'setting', name: 'app/interval', expected: '60', actual: '30' },
      { kind: 'setting', name: 'app/on', expected: 'true', actual: null },
    ]);
  });

  it('shows bytes that are no value of the encoding as hex, so different bytes never read the same', () => {
    expect(displaySetting(Uint8Array.of(2), 'bool')).toBe('hex:02');
    expect(displaySetting(Uint8Array.of(1, 2, 3), 'u32')).toBe('hex:010203');
    expect(displaySetting(Uint8Array.of(0xff), 'text')).toBe('hex:ff');
    expect(displaySetting(Uint8Array.of(0xfe), 'i8')).toBe('-2');
    const actual = new Map([['app/on', Uint8Array.of(2)]]);
    expect(diffSettings(rendered.settings.slice(2), actual)).toEqual([{ kind: 'setting', name: 'app/on', expected: 'true', actual: 'hex:02' }]);
  });
});

describe('diffFiles', () => {
  it('compares by content or by the device-side hash', () => {
    const [file] = rendered.files;
    const want = `sha256:${sha(file!.content)}`;
    expect(diffFiles(rendered.files, new Map([[file!.path, file!.content]]))).toEqual([]);
    expect(diffFiles(rendered.files, new Map([[file!.path, { sha256: sha(file!.content).toUpperCase() }]]))).toEqual([]);
    expect(diffFiles(rendered.files, new Map([[file!.path, enc('{}')]]))).toEqual([
      { kind: 'file', name: file!.path, expected: want, actual: `sha256:${sha(enc('{}'))}` },
    ]);
    expect(diffFiles(rendered.files, new Map())).toEqual([{ kind: 'file', name: file!.path, expected: want, actual: null }]);
  });

  it('diffConfiguration joins both', () => {
    const diffs = diffConfiguration(rendered, { settings: new Map(), files: new Map() });
    expect(diffs.map((d) => `${d.kind}:${d.name}`)).toEqual(['setting:app/site', 'setting:app/interval', 'setting:app/on', 'file:/lfs/config/site.json']);
  });
});

describe('configurationHash', () => {
  const golden = configurationHash(rendered);

  it('does not depend on order, and files may enter by hash', () => {
    expect(golden).toMatch(/^[0-9a-f]{64}$/);
    expect(configurationHash({ settings: [...rendered.settings].reverse(), files: rendered.files })).toBe(golden);
    const byHash = rendered.files.map((f) => ({ path: f.path, sha256: sha(f.content) }));
    expect(configurationHash({ settings: rendered.settings, files: byHash })).toBe(golden);
  });

  it('changes with any byte, name or path, and cannot be fooled by moving bytes between name and value', () => {
    const variants = [
      { ...rendered, settings: rendered.settings.map((s, i) => (i === 0 ? { ...s, bytes: enc('MUC-4') } : s)) },
      { ...rendered, settings: rendered.settings.map((s, i) => (i === 0 ? { ...s, name: 'app/sitf' } : s)) },
      { ...rendered, files: rendered.files.map((f) => ({ ...f, path: '/lfs/config/site2.json' })) },
      { ...rendered, files: rendered.files.map((f) => ({ ...f, content: enc('{"site":"MUC-4"}') })) },
      { ...rendered, files: [] },
      { ...rendered, settings: rendered.settings.slice(1) },
    ];
    for (const v of variants) expect(configurationHash(v)).not.toBe(golden);
    const a = configurationHash({ settings: [{ name: 'ab', bytes: enc('c') }], files: [] });
    const b = configurationHash({ settings: [{ name: 'a', bytes: enc('bc') }], files: [] });
    expect(a).not.toBe(b);
  });

  it('is pinned, so a change to the canonical encoding is noticed', () => {
    // Settings ("a" = 0x01) and one file; recomputed here from the documented layout.
    const u32 = (n: number): Buffer => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
    const content = enc('x');
    const expected = createHash('sha256')
      .update('fieldline-configuration/v1\n')
      .update(Buffer.concat([u32(1), u32(1), Buffer.from('a'), u32(1), Buffer.from([1])]))
      .update(Buffer.concat([u32(1), u32(2), Buffer.from('/f'), createHash('sha256').update(content).digest()]))
      .digest('hex');
    expect(configurationHash({ settings: [{ name: 'a', bytes: Uint8Array.of(1) }], files: [{ path: '/f', content }] })).toBe(expected);
  });
});
