/**
 * electron-builder.yml, checked as far as a machine without Electron's distribution allows: the YAML parses,
 * electron-builder's own loader and JSON-schema validation accept it (offline — no packaging, no download, no
 * install-app-deps), and what Fieldline relies on is there: the four targets, the icon set, native modules
 * unpacked and rebuilt, example profiles at process.resourcesPath/profiles, and the udev rule in the deb.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { minimatch } from 'minimatch';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { drawIcon, ICON_SIZES } from './make-icons.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CONFIG_FILE = join(ROOT, 'electron-builder.yml');
const require = createRequire(join(ROOT, 'package.json'));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const config = parse(readFileSync(CONFIG_FILE, 'utf8'));

const targets = (platform) => (config[platform]?.target ?? []).map((t) => (typeof t === 'string' ? t : t.target));
const pngSize = (file) => {
  const buf = readFileSync(file);
  expect(buf.subarray(1, 4).toString('latin1'), `${file} is a PNG`).toBe('PNG');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
};

describe('electron-builder.yml', () => {
  it('passes electron-builder’s own configuration loading and schema validation (offline)', async () => {
    const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config');
    const { DebugLogger } = require('builder-util');
    const loaded = await getConfig(ROOT, CONFIG_FILE, null);
    await expect(validateConfiguration(loaded, new DebugLogger(false))).resolves.toBeUndefined();
    expect(loaded.appId).toBe(config.appId);
  });

  it('rejects a broken configuration the same way (the validation is real)', async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config');
    const { DebugLogger } = require('builder-util');
    await expect(validateConfiguration({ ...config, iconn: 'resources/icons' }, new DebugLogger(false))).rejects.toThrow(/unknown property 'iconn'/);
    await expect(validateConfiguration({ ...config, deb: { ...config.deb, fpm: 'not-a-list' } }, new DebugLogger(false))).rejects.toThrow(/deb/);
  });

  it('builds AppImage and deb, NSIS and dmg under a reverse-DNS app id', () => {
    expect(config.appId).toMatch(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*){2,}$/);
    expect(config.productName).toBe('Fieldline');
    expect(targets('linux').sort()).toEqual(['AppImage', 'deb']);
    expect(targets('win')).toEqual(['nsis']);
    expect(targets('mac')).toEqual(['dmg']);
    expect(config.publish).toBeNull();
  });

  it('ships the electron-vite output, whose entry is package.json’s main', () => {
    expect(config.files).toContain('out/**/*');
    expect(minimatch(pkg.main, 'out/**/*')).toBe(true);
  });

  it('takes its icons from resources/icons: a Linux set, and PNGs large enough for .icns and .ico', async () => {
    const dir = join(ROOT, config.icon);
    expect(statSync(dir).isDirectory()).toBe(true);
    const { convertIcon } = require('app-builder-lib/out/util/iconConverter');
    // The "set" format (Linux) needs no conversion tool, so electron-builder's own resolver runs here.
    const out = await mkdtemp(join(tmpdir(), 'fieldline-icons-'));
    try {
      const set = await convertIcon({ sources: [config.icon], fallbackSources: [], roots: [ROOT], format: 'set', outDir: out });
      expect(set.isFallback).toBe(false);
      expect(set.icons.map((i) => i.size)).toEqual(expect.arrayContaining([16, 32, 48, 64, 128, 256, 512]));
    } finally {
      await rm(out, { recursive: true, force: true });
    }
    for (const name of readdirSync(dir)) {
      const n = Number(/^(\d+)x\1\.png$/.exec(name)?.[1]);
      expect(n, `${name} is named <N>x<N>.png`).toBeGreaterThan(0);
      expect(pngSize(join(dir, name))).toEqual({ width: n, height: n });
    }
    // icns and ico are converted from the largest PNG (a download-only tool, so not here): macOS wants ≥ 512.
    expect(Math.max(...readdirSync(dir).map((f) => Number.parseInt(f, 10)))).toBeGreaterThanOrEqual(1024);
  });

  it('keeps the icons reproducible from scripts/make-icons.mjs', () => {
    for (const size of ICON_SIZES.filter((s) => s <= 64)) {
      expect(drawIcon(size).equals(readFileSync(join(ROOT, config.icon, `${size}x${size}.png`))), `${size}x${size}.png`).toBe(true);
    }
  });

  it('unpacks and rebuilds the native modules for Electron', () => {
    expect(config.npmRebuild).toBe(true);
    expect(typeof config.buildDependenciesFromSource).toBe('boolean');
    expect(config.asar).toBe(true);
    const unpacked = (path) => config.asarUnpack.some((pattern) => minimatch(path, pattern, { dot: true }));
    for (const path of [
      'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      'node_modules/@serialport/bindings-cpp/prebuilds/linux-x64/node.napi.glibc.node',
      'node_modules/@abandonware/noble/lib/hci-socket/bindings.js',
      'node_modules/@abandonware/bluetooth-hci-socket/build/Release/bluetooth_hci_socket.node',
      'node_modules/pkcs11js/build/Release/pkcs11.node',
    ]) {
      expect(unpacked(path), `${path} is outside the asar`).toBe(true);
    }
    // Every native addon actually installed among the production dependencies is covered too.
    for (const dep of ['better-sqlite3', '@serialport/bindings-cpp']) {
      const dir = dirname(require.resolve(`${dep}/package.json`));
      const addons = readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.node'));
      for (const addon of addons) expect(unpacked(`node_modules/${dep}/${String(addon)}`), `${dep}/${String(addon)}`).toBe(true);
    }
    expect(Object.keys(pkg.dependencies)).toEqual(expect.arrayContaining(['better-sqlite3', 'serialport']));
  });

  it('puts the example profiles at process.resourcesPath/profiles, where the packaged app reads them', () => {
    const profiles = config.extraResources.find((r) => r.to === 'profiles');
    expect(profiles?.from).toBe('resources/profiles');
    expect(readdirSync(join(ROOT, profiles.from)).filter((f) => f.endsWith('.yaml')).length).toBeGreaterThan(0);
    expect(readFileSync(join(ROOT, 'main/electron/index.ts'), 'utf8')).toContain("join(process.resourcesPath, 'profiles')");
    const udev = config.extraResources.find((r) => r.to === 'udev');
    expect(existsSync(join(ROOT, udev.from, '99-fieldline.rules'))).toBe(true);
  });

  it('installs the udev rules into /etc/udev/rules.d with the deb', () => {
    const mappings = (config.deb.fpm ?? []).map((arg) => arg.split('='));
    const rule = mappings.find(([, to]) => to?.startsWith('/etc/udev/rules.d/'));
    expect(rule, 'a src=/etc/udev/rules.d/… mapping in deb.fpm').toBeDefined();
    const [from, to] = rule;
    expect(existsSync(join(ROOT, from))).toBe(true);
    expect(to).toMatch(/^\/etc\/udev\/rules\.d\/\d\d-[\w-]+\.rules$/);
    expect(readFileSync(join(ROOT, from), 'utf8')).toMatch(/GROUP="dialout"/);
    expect(config.deb.depends).toEqual(expect.arrayContaining(['udev', 'libnss3', 'libgtk-3-0']));
  });

  it('sets the fuses that keep the packaged binary from running as plain Node', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      enableCookieEncryption: true,
      // The renderer comes from app:// (Electron checklist item 18): file:// keeps no extra privileges.
      grantFileProtocolExtraPrivileges: false,
    });
  });
});
