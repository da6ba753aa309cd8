import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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
    expect(await settings.registry()).toEqual({ url: 'https://registry.example.com', token: 'flt_abc' });
    expect(await readFile(join(dataDir, 'registry.json'), 'utf8')).not.toContain('flt_abc');
    expect(loadRegistrySettings(dataDir)).toMatchObject({ url: 'https://registry.example.com', token: 'flt_abc' });
    // A new process reads the same.
    expect((await openStationSettings(dataDir, createFileSecretStore(dataDir))).operator()).toBe('Ada');
  });

  it('keeps the token when only the URL changes, and refuses plain http beyond this machine', async () => {
    const settings = await openStationSettings(dataDir, createFileSecretStore(dataDir));
    await settings.setRegistry('http://127.0.0.1:8780', 'flt_abc');
    await settings.setRegistry('http://localhost:8781');
    expect(await settings.registry()).toEqual({ url: 'http://localhost:8781', token: 'flt_abc' });
    await expect(settings.setRegistry('http://registry.example.com', 'flt_x')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('reads the CLI token file when the desktop secret store has none', async () => {
    await openStationSettings(dataDir, createFileSecretStore(dataDir)).then((s) => s.setRegistry('https://r.example', 'flt_cli'));
    const cipher = { encryptString: (s: string) => Buffer.from(s), decryptString: (b: Buffer) => b.toString() };
    const desktop = await openStationSettings(dataDir, createEncryptedSecretStore(dataDir, cipher, true));
    expect((await desktop.registry())?.token).toBe('flt_cli');
    await desktop.setRegistry('https://r.example', 'flt_desktop');
    expect((await desktop.registry())?.token).toBe('flt_desktop');
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
});
