import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadRegistrySettings } from '../sync/registry-config';
import { createEncryptedSecretStore, createFileSecretStore } from './secrets';
import { openStationSettings } from './settings';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'fieldline-settings-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('station settings', () => {
  it('stores the operator and the registry where the CLI reads them, the token apart from the URL', async () => {
    const settings = await openStationSettings(dataDir, createFileSecretStore(dataDir));
    expect(settings.operator()).toBeTruthy();
    expect(await settings.tokenSet()).toBe(false);
    await settings.setOperator('Ada');
    await settings.setRegistry('https://registry.example.com/', 'flt_abc');
    expect(settings.operator()).toBe('Ada');
    expect(await settings.registryUrl()).toBe('https://registry.example.com');
    const bound = { origin: 'https://registry.example.com', value: 'flt_abc' };
    expect(await settings.registry()).toEqual({ url: 'https://registry.example.com', token: bound });
    expect(await readFile(join(dataDir, 'registry.json'), 'utf8')).not.toContain('flt_abc');
    expect(loadRegistrySettings(dataDir)).toMatchObject({ url: 'https://registry.example.com', token: bound });
    // A new process reads the same.
    expect((await openStationSettings(dataDir, createFileSecretStore(dataDir))).operator()).toBe('Ada');
  });

  it('drops the token when the URL moves to another origin, keeps it for a path on the same one', async () => {
    const settings = await openStationSettings(dataDir, createFileSecretStore(dataDir));
    await settings.setRegistry('http://127.0.0.1:8780', 'flt_abc');
    await settings.setRegistry('http://127.0.0.1:8780/registry');
    expect(await settings.registry()).toEqual({ url: 'http://127.0.0.1:8780/registry', token: { origin: 'http://127.0.0.1:8780', value: 'flt_abc' } });

    // Another port is another origin: no token until one is given for it, in this process and in the next.
    await settings.setRegistry('http://127.0.0.1:8781');
    expect(await settings.tokenSet()).toBe(false);
    expect(await settings.registry()).toBeUndefined();
    expect(await readdir(dataDir)).not.toContain('registry-token');
    expect(() => loadRegistrySettings(dataDir)).toThrow(expect.objectContaining({ code: 'REGISTRY_TOKEN_NEEDED', message: expect.stringContaining('no token for http://127.0.0.1:8781') }));
    expect(await (await openStationSettings(dataDir, createFileSecretStore(dataDir))).tokenSet()).toBe(false);
    // Back to the first registry: the token is gone for it too (it was deleted, not hidden).
    await settings.setRegistry('http://127.0.0.1:8780');
    expect(await settings.tokenSet()).toBe(false);

    await settings.setRegistry('http://127.0.0.1:8781', 'flt_new');
    expect(await settings.registry()).toEqual({ url: 'http://127.0.0.1:8781', token: { origin: 'http://127.0.0.1:8781', value: 'flt_new' } });
  });

  it('refuses plain http beyond this machine', async () => {
    const settings = await openStationSettings(dataDir, createFileSecretStore(dataDir));
    await expect(settings.setRegistry('http://registry.example.com', 'flt_x')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('finds no token when registry.json is edited to point elsewhere', async () => {
    const settings = await openStationSettings(dataDir, createFileSecretStore(dataDir));
    await settings.setRegistry('https://r.example', 'flt_abc');
    await writeFile(join(dataDir, 'registry.json'), JSON.stringify({ url: 'https://attacker.example' }));
    expect(await settings.registry()).toBeUndefined();
    expect(() => loadRegistrySettings(dataDir)).toThrow(expect.objectContaining({ code: 'REGISTRY_TOKEN_NEEDED' }));
  });

  it('binds an older version\'s bare token to the URL it was saved with, once', async () => {
    await writeFile(join(dataDir, 'registry.json'), JSON.stringify({ url: 'https://r.example' }));
    await writeFile(join(dataDir, 'registry-token'), 'flt_old\n', { mode: 0o600 });
    const settings = await openStationSettings(dataDir, createFileSecretStore(dataDir));
    expect(await settings.registry()).toEqual({ url: 'https://r.example', token: { origin: 'https://r.example', value: 'flt_old' } });
    expect(JSON.parse(await readFile(join(dataDir, 'registry-token'), 'utf8'))).toEqual({ origin: 'https://r.example', token: 'flt_old' });
    // Bound now: an edit of registry.json no longer carries it along.
    await writeFile(join(dataDir, 'registry.json'), JSON.stringify({ url: 'https://attacker.example' }));
    expect(await settings.registry()).toBeUndefined();
  });

  it('reads the CLI token file when the desktop secret store has none', async () => {
    await openStationSettings(dataDir, createFileSecretStore(dataDir)).then((s) => s.setRegistry('https://r.example', 'flt_cli'));
    const cipher = { encryptString: (s: string) => Buffer.from(s), decryptString: (b: Buffer) => b.toString() };
    const desktop = await openStationSettings(dataDir, createEncryptedSecretStore(dataDir, cipher, true));
    expect((await desktop.registry())?.token.value).toBe('flt_cli');
    await desktop.setRegistry('https://r.example', 'flt_desktop');
    expect((await desktop.registry())?.token.value).toBe('flt_desktop');
    // A URL change drops the token from both stores: the desktop would otherwise fall back to the CLI's.
    await desktop.setRegistry('https://other.example');
    expect(await desktop.tokenSet()).toBe(false);
    expect(await readdir(dataDir)).not.toContain('registry-token');
  });

  it('keeps the label printer beside the operator, and clears it without touching the operator', async () => {
    const settings = await openStationSettings(dataDir, createFileSecretStore(dataDir));
    expect(settings.printer()).toBeUndefined();
    await settings.setOperator('Ada');
    await settings.setPrinter('127.0.0.1:9100');
    const reopened = await openStationSettings(dataDir, createFileSecretStore(dataDir));
    expect(reopened.printer()).toBe('127.0.0.1:9100');
    await reopened.setPrinter(undefined);
    expect(reopened.printer()).toBeUndefined();
    expect(JSON.parse(await readFile(join(dataDir, 'station.json'), 'utf8'))).toEqual({ operator: 'Ada' });
  });

  it('keeps a field it does not understand (a newer version\'s adapter kind) when it saves another', async () => {
    await writeFile(join(dataDir, 'station.json'), JSON.stringify({ operator: 'Ada', bleAdapter: 'usb-dongle-v2', theme: 'dark' }));
    const settings = await openStationSettings(dataDir, createFileSecretStore(dataDir));
    expect(settings.bleAdapter()).toBeUndefined();
    await settings.setPrinter('127.0.0.1:9100');
    await settings.setOperator('Grace');
    expect(JSON.parse(await readFile(join(dataDir, 'station.json'), 'utf8'))).toEqual({
      operator: 'Grace',
      bleAdapter: 'usb-dongle-v2',
      theme: 'dark',
      printer: '127.0.0.1:9100',
    });
  });

  it('keeps the fixture labels and the operator sound per station, across a reopen; an empty mapping removes the field', async () => {
    const settings = await openStationSettings(dataDir, createFileSecretStore(dataDir));
    expect(settings.fixtureLabels()).toEqual({});
    expect(settings.operatorSound()).toBe(false);
    await settings.setFixtureLabels({ '1-1.4': 'A1', 'virtual/F1E1D00000000001': 'A2' });
    await settings.setOperatorSound(true);
    const reopened = await openStationSettings(dataDir, createFileSecretStore(dataDir));
    expect(reopened.fixtureLabels()).toEqual({ '1-1.4': 'A1', 'virtual/F1E1D00000000001': 'A2' });
    expect(reopened.operatorSound()).toBe(true);
    await reopened.setFixtureLabels({});
    await reopened.setOperatorSound(false);
    expect(JSON.parse(await readFile(join(dataDir, 'station.json'), 'utf8'))).toEqual({});
  });

  it('refuses two positions with one label, and ignores such a mapping edited into the file by hand', async () => {
    const settings = await openStationSettings(dataDir, createFileSecretStore(dataDir));
    await expect(settings.setFixtureLabels({ '1-1.1': 'A1', '1-1.2': 'A1' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await writeFile(join(dataDir, 'station.json'), JSON.stringify({ operator: 'Ada', fixtureLabels: { '1-1.1': 'A1', '1-1.2': 'A1' } }));
    const reopened = await openStationSettings(dataDir, createFileSecretStore(dataDir));
    expect(reopened.fixtureLabels()).toEqual({});
    expect(reopened.operator()).toBe('Ada');
  });
});
