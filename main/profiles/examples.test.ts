/**
 * The shipped example profiles: lint clean, render with their defaults alone (so `provision` needs no --var), and
 * their identify and diagnostics commands, patterns, limits and stats match what a virtual gateway really answers.
 */
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testDevice } from '../simulator/device/test-support';
import { lintProfile, loadProfile } from './load';
import { renderProfile } from './template';

const DIR = fileURLToPath(new URL('../../resources/profiles/', import.meta.url));
const EXAMPLES = ['gateway-eu.yaml', 'gateway-inject.yaml'];
const SHELL = 9;
const STATS = 2;

describe('example profiles', () => {
  it('are the ones shipped', async () => {
    expect((await readdir(DIR)).filter((f) => f.endsWith('.yaml')).sort()).toEqual(EXAMPLES);
  });

  for (const name of EXAMPLES) {
    describe(name, () => {
      it('lints clean and renders from defaults alone', async () => {
        expect(await lintProfile(DIR + name)).toEqual([]);
        const { profile } = await loadProfile(DIR + name);
        const r = renderProfile(profile, { device: { serial: '0123456789abcdef', firmwareVersion: '1.0.0' }, station: { name: 'ci' } });
        expect(r.subject).toBe('CN=0123456789abcdef,O=Acme Gateways,OU=DEV-1');
        expect(r.settings.find((s) => s.name === 'fieldline/site')?.display).toBe('DEV-1');
      });

      it('identifies and passes its diagnostics on a virtual gateway running 1.0.0', async () => {
        const { profile } = await loadProfile(DIR + name);
        const t = await testDevice({ serial: '0123456789ABCDEF' });
        const shell = async (argv: string[]): Promise<{ o: string; ret: number }> =>
          (await t.ok(SHELL, 0, 'write', { argv })) as unknown as { o: string; ret: number };

        const id = await shell(profile.identify.command);
        expect(new RegExp(profile.identify.pattern, 'm').exec(id.o)?.[1]).toBe('0123456789abcdef');
        expect(profile.firmware?.minVersion).toBe('1.0.0');

        for (const d of profile.diagnostics) {
          if (d.type === 'shell-match') {
            const r = await shell(d.command);
            expect(r.ret, d.name).toBe(d.expectRet);
            expect(new RegExp(d.pattern, 'm').test(r.o), d.name).toBe(true);
          } else if (d.type === 'shell-number') {
            const value = Number(new RegExp(d.pattern, 'm').exec((await shell(d.command)).o)?.[1]);
            expect(value, d.name).toBeGreaterThanOrEqual(d.min ?? -Infinity);
            expect(value, d.name).toBeLessThanOrEqual(d.max ?? Infinity);
          } else if (d.type === 'stat') {
            const body = (await t.ok(STATS, 0, 'read', { name: d.group })) as { fields: Record<string, number> };
            const value = body.fields[d.field];
            expect(value, d.name).toBeTypeOf('number');
            expect(value, d.name).toBeGreaterThanOrEqual(d.min ?? -Infinity);
            expect(value, d.name).toBeLessThanOrEqual(d.max ?? Infinity);
          }
        }
      });

      it('fails its selftest diagnostic on a gateway told to fail it', async () => {
        const { profile } = await loadProfile(DIR + name);
        const t = await testDevice({ serial: '0123456789ABCDEF', failDiagnostics: ['selftest'] });
        const selftest = profile.diagnostics.find((d) => d.type === 'shell-match');
        if (selftest?.type !== 'shell-match') throw new Error('no shell-match diagnostic');
        const r = (await t.ok(SHELL, 0, 'write', { argv: selftest.command })) as unknown as { o: string };
        expect(new RegExp(selftest.pattern, 'm').test(r.o)).toBe(false);
      });
    });
  }
});
