/**
 * Provisioning runs against virtual gateways over real ptys: a full pass, each step failing in turn with the
 * rollback checked on the device, an unplug mid-run repaired by the next run, and inject mode.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSimulator, type SpawnedSimulator } from '../testing/sim-process';
import { systemRunInputs } from '../testing/run-inputs';
import { GatewaySession } from '../device/session';
import { makeMcubootImage } from '../device/mcuboot-image';
import { readConfiguration } from '../device/read-config';
import { loadProfile } from '../profiles/load';
import { initCa, listRevoked, openStationCa } from '../pki/station-ca';
import type { Signer } from '../pki/types';
import { openStore } from '../store/store';
import type { Store } from '../store/types';
import { identityInfo } from '../smp/groups/identity';
import { readState } from '../smp/groups/image';
import { writeSetting, saveSettings } from '../smp/groups/settings';
import { checkDrift } from './drift';
import { runProvisioning, type ProvisionOptions } from './runner';

const PASSPHRASE = 'integration-test-passphrase';
let work: string;
let dataDir: string;
let signer: Signer;
let store: Store;
let sim: SpawnedSimulator;
let imageFile: string;
let imageSha: string;

/** Gateways: 0 pass, 1 failing diagnostic, 2 config failure, 3 unplug mid-run, 4 inject, 5 identify/firmware failures, 6 firmware gate. */
const FAULTS = ['fail-diag:name=selftest,gw=1', 'disconnect:after=25,back=500,gw=3'];

function profileYaml(
  overrides: { minVersion?: string; image?: boolean; identityMode?: 'csr' | 'inject'; badFile?: boolean; identifyPattern?: string; existing?: string } = {},
): string {
  const identity =
    overrides.identityMode === 'inject'
      ? `identity:
  mode: inject
  subject: "CN={{ device.serial }},O=Test"
  files: { key: /lfs/certs/device.key, cert: /lfs/certs/device.crt, chain: /lfs/certs/chain.crt }`
      : `identity:
  subject: "CN={{ device.serial }},O=Test,OU={{ vars.site }}"
  sans: ["DNS:{{ device.serial | lower }}.gw.example"]
  validityDays: 365${overrides.existing ? `\n  ${overrides.existing}` : ''}`;
  return `apiVersion: fieldline/v1
name: it-profile
version: 1.0.0
variables:
  site: { default: "LAB-1" }
${overrides.identifyPattern ? `identify:\n  command: [hwinfo, devid]\n  pattern: "${overrides.identifyPattern}"\n` : ''}firmware:
  minVersion: ${overrides.minVersion ?? '1.0.0'}
${overrides.image ? `  image: fw.bin\n  sha256: ${imageSha}\n` : ''}${identity}
settings:
  fieldline/site: { type: string, value: "{{ vars.site }}" }
  fieldline/interval: { type: integer, encoding: u32, value: 30 }
  fieldline/enabled: { type: boolean, value: true }
files:
  - path: ${overrides.badFile ? '/lfs/missing-folder/site.json' : '/lfs/config/site.json'}
    template: '{"site":"{{ vars.site }}","serial":"{{ device.serial }}"}'
diagnostics:
  - { type: echo-rtt, name: link, maxMs: 500 }
  - { type: firmware-version, name: firmware, min: "1.0.0" }
  - { type: settings-hash, name: golden }
  - { type: identity-challenge, name: identity }
  - { type: shell-match, name: selftest, command: [diag, selftest], pattern: PASS }
`;
}

async function writeProfile(name: string, yaml: string): Promise<string> {
  const file = join(work, name);
  await writeFile(file, yaml);
  return file;
}

async function provision(gw: number, file: string, extra: Partial<ProvisionOptions> = {}) {
  return runProvisioning({
    ...systemRunInputs,
    port: sim.gateways[gw]!.port,
    profile: await loadProfile(file),
    signer,
    store,
    station: { name: 'it' },
    variables: {},
    timeoutMs: 1000,
    rebootTimeoutMs: 15_000,
    ...extra,
  });
}

async function withSession<T>(gw: number, fn: (s: GatewaySession) => Promise<T>): Promise<T> {
  const s = await GatewaySession.openSerial(sim.gateways[gw]!.port, { timeoutMs: 1000 });
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

async function deviceState(gw: number) {
  return withSession(gw, async (s) => ({
    config: await readConfiguration(s, ['fieldline/site', 'fieldline/interval', 'fieldline/enabled', 'pre/existing'], []),
    active: (await readState(s.client)).find((x) => x.active),
    identity: await identityInfo(s.client, 0),
  }));
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'fieldline-it-'));
  dataDir = join(work, 'data');
  await initCa(dataDir, { passphrase: PASSPHRASE });
  signer = await openStationCa(dataDir, PASSPHRASE);
  store = openStore(dataDir);
  const image = makeMcubootImage({ version: '1.1.0', size: 12_000 });
  imageFile = join(work, 'fw.bin');
  await writeFile(imageFile, image);
  imageSha = createHash('sha256').update(image).digest('hex');
  sim = await spawnSimulator({ count: 7, baud: 0, faults: FAULTS, extra: ['--delay', 'reboot=100', '--seed', '3'] });
});

afterAll(async () => {
  store?.close();
  await sim?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('provisioning run', () => {
  it('passes end to end; the certificate verifies with openssl; no drift afterwards', async () => {
    const file = await writeProfile('pass.yaml', profileYaml());
    const record = await provision(0, file);
    expect(record.error).toBeUndefined();
    expect(record.outcome).toBe('passed');
    expect(record.steps.map((s) => [s.name, s.outcome])).toEqual([
      ['identify', 'passed'], ['firmware', 'passed'], ['identity', 'passed'], ['configuration', 'passed'], ['diagnostics', 'passed'], ['finalize', 'passed'],
    ]);
    expect(record.diagnostics.every((d) => d.passed)).toBe(true);
    expect(record.certificate?.subject).toContain(sim.gateways[0]!.serial);
    expect(store.getRun(record.id)).toEqual(record);

    const info = await withSession(0, (s) => identityInfo(s.client, 0));
    const pem = (der: Uint8Array): string => `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
    await writeFile(join(work, 'leaf.pem'), pem(info.cert!));
    const out = execFileSync('openssl', ['verify', '-CAfile', join(dataDir, 'ca/root.pem'), '-untrusted', join(dataDir, 'ca/intermediate.pem'), join(work, 'leaf.pem')]).toString();
    expect(out).toContain('OK');

    const drift = await withSession(0, async (s) => (await checkDrift({ session: s, profile: await loadProfile(file), store, station: { name: 'it' }, variables: {} })).report);
    expect(drift.differences).toEqual([]);
    await withSession(0, (s) => writeSetting(s.client, 'fieldline/interval', Uint8Array.of(60, 0, 0, 0)));
    const after = await withSession(0, async (s) => (await checkDrift({ session: s, profile: await loadProfile(file), store, station: { name: 'it' }, variables: {} })).report);
    expect(after.differences.map((d) => d.name)).toEqual(['fieldline/interval']);
  });

  it('a failing diagnostic rolls back settings, identity, certificate and the new firmware', async () => {
    await withSession(1, async (s) => {
      await writeSetting(s.client, 'fieldline/site', Buffer.from('BEFORE'));
      await saveSettings(s.client);
    });
    const before = await deviceState(1);
    const file = await writeProfile('diag.yaml', profileYaml({ minVersion: '1.1.0', image: true }));
    const record = await provision(1, file);
    expect(record.steps.find((s) => s.name === 'firmware')?.evidence.installed).toMatchObject({ version: '1.1.0' });
    expect(record.outcome).toBe('failed');
    expect(record.error?.code).toBe('DIAGNOSTICS_FAILED');
    expect(record.diagnostics.find((d) => d.name === 'selftest')?.passed).toBe(false);
    const after = await deviceState(1);
    expect(after.config.settings).toEqual(before.config.settings);
    expect(after.active).toMatchObject({ version: '1.0.0', confirmed: true });
    expect(before.active?.version).toBe('1.0.0');
    expect(after.identity.key).toBe(false);
    expect(after.identity.cert).toBeUndefined();
    expect(record.certificate?.revoked).toBe(true);
    expect(listRevoked(dataDir).map((r) => r.serial)).toContain(record.certificate!.serial);
    expect(record.rollback?.actions.every((a) => a.outcome === 'done')).toBe(true);
    // Each device action states what the device held when read back, not what was intended.
    const verified = Object.fromEntries((record.rollback?.actions ?? []).map((a) => [a.action, a.verified]));
    expect(verified).toMatchObject({ 'erase identity slot': 'empty slot', 'revert firmware': '1.0.0 active, confirmed', 'restore setting fieldline/site': '6 bytes, same value as before' });
  });

  it('a configuration failure (a file the device cannot write) rolls back the settings already written', async () => {
    const before = await deviceState(2);
    const record = await provision(2, await writeProfile('badfile.yaml', profileYaml({ badFile: true })));
    expect(record.outcome).toBe('failed');
    expect(record.steps.find((s) => s.name === 'configuration')?.outcome).toBe('failed');
    const after = await deviceState(2);
    expect(after.config.settings).toEqual(before.config.settings);
    expect(after.identity.key).toBe(false);
  });

  it('an identify failure changes nothing', async () => {
    const before = await deviceState(5);
    const record = await provision(5, await writeProfile('noid.yaml', profileYaml({ identifyPattern: 'SERIAL=(\\\\d+)' })));
    expect(record.outcome).toBe('failed');
    expect(record.error?.code).toBe('DEVICE_IDENTIFY_FAILED');
    expect(await deviceState(5)).toEqual(before);
  });

  it('a firmware requirement without an image fails the firmware step and leaves the device as it was', async () => {
    const before = await deviceState(5);
    const record = await provision(5, await writeProfile('fw-missing.yaml', profileYaml({ minVersion: '2.0.0' })));
    expect(record.steps.find((s) => s.name === 'firmware')?.outcome).toBe('failed');
    expect(record.error?.code).toBe('FIRMWARE_UPDATE_FAILED');
    expect(await deviceState(5)).toEqual(before);
  });

  it('updates old firmware through the gate, tests it, and confirms it only after diagnostics pass', async () => {
    const record = await provision(6, await writeProfile('fw.yaml', profileYaml({ minVersion: '1.1.0', image: true })));
    expect(record.outcome).toBe('passed');
    expect(record.device.firmwareBefore).toBe('1.0.0');
    expect(record.device.firmwareAfter).toBe('1.1.0');
    const active = (await deviceState(6)).active;
    expect(active).toMatchObject({ version: '1.1.0', confirmed: true });
  });

  it('refuses to replace an identity the device already holds, unless told to', async () => {
    const file = await writeProfile('again.yaml', profileYaml());
    const record = await provision(6, file);
    expect(record.error?.code).toBe('IDENTITY_EXISTS');
    const forced = await provision(6, file, { reprovision: true });
    expect(forced.outcome).toBe('passed');
  });

  it('keeps an identity in service only when every check passes, without issuing', async () => {
    const inService = store.lastRun(sim.gateways[6]!.serial)!.certificate!;
    const issuedBefore = store.listCertificates().length;
    const keep = await writeProfile('keep.yaml', profileYaml({ existing: 'existing: keep' }));
    const kept = await provision(6, keep);
    expect(kept.error).toBeUndefined();
    expect(kept.outcome).toBe('passed');
    const evidence = kept.steps.find((s) => s.name === 'identity')!.evidence;
    expect(evidence).toMatchObject({ existing: 'kept', challengeVerified: true, certificate: { fingerprintSha256: inService.fingerprintSha256 } });
    expect(kept.certificate).toMatchObject({ serial: inService.serial, fingerprintSha256: inService.fingerprintSha256 });
    expect(store.listCertificates()).toHaveLength(issuedBefore);

    // The profile renders another subject (OU from the site variable): the check names it, and the slot is left as it was.
    const otherSite = await provision(6, keep, { variables: { site: 'LAB-2' } });
    expect(otherSite.error).toMatchObject({ code: 'IDENTITY_KEEP_FAILED', message: expect.stringMatching(/^subject:/) });
    const renew = await writeProfile('renew.yaml', profileYaml({ existing: 'existing: keep\n  renewWithinDays: 400' }));
    expect((await provision(6, renew)).error).toMatchObject({ code: 'IDENTITY_KEEP_FAILED', message: expect.stringMatching(/^validity:.*400 days/) });
    expect(createHash('sha256').update((await deviceState(6)).identity.cert!).digest('hex')).toBe(inService.fingerprintSha256);
    expect(store.listCertificates()).toHaveLength(issuedBefore);
    // A failed keep names no certificate in its record: the register must not take the kept one for a failed run's.
    expect(store.listCertificates({ fingerprint: inService.fingerprintSha256 })).toEqual([expect.objectContaining({ state: 'in-service' })]);
  });

  it('replaces an identity: a new certificate installed and proved, then the old one revoked as superseded', async () => {
    const old = store.listRuns({ serial: sim.gateways[6]!.serial }).map((r) => store.getRun(r.id)!).find((r) => r.outcome === 'passed' && !r.certificate?.revoked)!.certificate!;
    const replaced = await provision(6, await writeProfile('replace.yaml', profileYaml({ existing: 'existing: replace' })));
    expect(replaced.outcome).toBe('passed');
    expect(replaced.certificate!.serial).not.toBe(old.serial);
    expect(replaced.steps.find((s) => s.name === 'identity')!.evidence).toMatchObject({
      existing: 'replaced',
      replaced: { serial: old.serial, fingerprint: old.fingerprintSha256, revoked: true, reason: 'superseded' },
    });
    expect(await listRevoked(dataDir)).toContainEqual(expect.objectContaining({ serial: old.serial.replace(/^0+/, ''), reason: 'superseded' }));
    expect(store.listCertificates({ fingerprint: old.fingerprintSha256 })).toEqual([expect.objectContaining({ state: 'revoked' })]);
    expect(createHash('sha256').update((await deviceState(6)).identity.cert!).digest('hex')).toBe(replaced.certificate!.fingerprintSha256);
    expect(store.listCertificates({ fingerprint: replaced.certificate!.fingerprintSha256 })).toEqual([expect.objectContaining({ state: 'in-service' })]);
  });

  it('an unplug mid-run leaves an interrupted run that the next run repairs', async () => {
    const before = await deviceState(3);
    const file = await writeProfile('unplug.yaml', profileYaml());
    const first = await provision(3, file);
    expect(first.outcome).toBe('interrupted');
    expect(['PORT_VANISHED', 'DEVICE_DISCONNECTED', 'DEVICE_TIMEOUT']).toContain(first.error?.code);
    await new Promise((r) => setTimeout(r, 1500)); // the gateway comes back (back=500)
    const second = await provision(3, file);
    expect(second.outcome).toBe('passed');
    expect(second.previousRunId).toBe(first.id);
    const identifyEvidence = second.steps[0]!.evidence as { snapshot: unknown };
    expect(identifyEvidence.snapshot).toEqual(first.steps[0]!.evidence.snapshot);
    if (first.certificate) expect(store.getRun(first.id)?.certificate?.revoked).toBe(true);
    expect(before.config.settings.get('fieldline/site')).toBeUndefined();
  });

  it('inject mode writes key, certificate and chain files and proves the certificate file', async () => {
    const record = await provision(4, await writeProfile('inject.yaml', profileYaml({ identityMode: 'inject' })));
    expect(record.outcome).toBe('passed');
    expect(record.certificate?.mode).toBe('inject');
    const files = await withSession(4, (s) => readConfiguration(s, [], ['/lfs/certs/device.key', '/lfs/certs/device.crt']));
    expect(Buffer.from(files.files.get('/lfs/certs/device.key')!).toString()).toContain('PRIVATE KEY');
    // The key never appears in the record.
    expect(JSON.stringify(record)).not.toContain('PRIVATE KEY');
  });

  it('reports a missing template variable before touching the device', async () => {
    const yaml = profileYaml().replace('  site: { default: "LAB-1" }', '  site: {}');
    const file = await writeProfile('novar.yaml', yaml);
    await expect(provision(0, file)).rejects.toMatchObject({ code: 'TEMPLATE_MISSING_VARIABLE' });
  });
});
