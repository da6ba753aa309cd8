/**
 * `fieldline visit prepare|status` as child processes against a real registry that holds what a provisioning
 * station uploaded: the kit is prepared in a second data directory, with a CA of its own, that never saw those
 * devices — and it answers the device's history, the profile it was provisioned with, the newest release and the
 * issuing station's revocations. A registry that stops, or answers nonsense or too much, is a clear error and leaves
 * the previous kit whole.
 */
import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalReleaseManifest, type ReleaseManifest } from '../contract/registry/releases';
import type { RunRecord } from '../contract/run-record';
import { createCore } from '../core/core';
import { silentLogger } from '../log';
import { initCa } from '../pki/station-ca';
import { keyIdOf, TRUST_FOLDER } from '../profiles/signature';
import { RegistryClient } from '../sync/registry-client';
import { saveRegistrySettings } from '../sync/registry-config';
import { bindToken } from '../sync/registry-token';
import { ReleaseClient } from '../sync/release-client';
import { visitDir, visitManifestPath } from '../sync/visit-store';
import { lastJsonLine, runFieldline } from '../testing/cli';
import { startFaultRegistry, type Fault, type FaultRegistry } from '../testing/fault-registry';
import { registryRunRecord, startTestRegistry, type TestRegistry } from '../testing/registry';

const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');
const PROFILE_V1 = 'name: berlin-gateway\nversion: 1.0.0\n';
const PROFILE_V2 = 'name: berlin-gateway\nversion: 2.0.0\n';
const FIRMWARE_V1 = 'firmware image 1.0.0';
const FIRMWARE_V2 = 'firmware image 1.1.0';

let work: string;
let reg: TestRegistry;
let visitor: string;
const publisher = generateKeyPairSync('ed25519');
const revokedCert = { serial: '7b01', fingerprintSha256: 'ab'.repeat(32), issuer: 'CN=Station line-1 CA' };
const provisioned: RunRecord[] = [];

function deviceRun(serial: string, site: string | undefined, extra: Partial<RunRecord> = {}): RunRecord {
  const base = registryRunRecord({ serial, outcome: 'passed', startedAt: '2026-11-20T08:00:00.000Z' });
  const { certificate: _c, rollback: _r, error: _e, ...rest } = base;
  return {
    ...rest,
    station: { name: 'line-1' },
    profile: { name: 'berlin-gateway', version: '1.0.0', sha256: sha256(PROFILE_V1) },
    release: { channel: 'production', name: 'berlin-gateway', version: '1.0.0', sha256: sha256(PROFILE_V1), firmware: { name: 'berlin-fw', version: '1.0.0', sha256: sha256(FIRMWARE_V1) } },
    ...(site !== undefined ? { site, variables: { site } } : {}),
    ...extra,
  };
}

async function publish(releases: ReleaseClient, text: string, version: string, kind: ReleaseManifest['kind'] = 'profile', name = 'berlin-gateway'): Promise<void> {
  const bytes = Buffer.from(text);
  await releases.putArtifact(sha256(bytes), bytes);
  const manifest: ReleaseManifest = { kind, name, version, sha256: sha256(bytes), size: bytes.length, channel: 'production' };
  await releases.publish({
    manifest,
    signature: { algorithm: 'ed25519', keyId: keyIdOf(publisher.publicKey), signature: sign(null, Buffer.from(canonicalReleaseManifest(manifest)), publisher.privateKey).toString('base64') },
    publicKey: publisher.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  });
}

/** A data directory of its own CA, logged in to `url`, trusting the publisher. */
async function stationDir(name: string, url: string): Promise<string> {
  const dir = join(work, name);
  mkdirSync(join(dir, TRUST_FOLDER), { recursive: true });
  writeFileSync(join(dir, TRUST_FOLDER, 'publisher.pub.pem'), publisher.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  await initCa(dir, { passphrase: `${name} passphrase, long enough` });
  saveRegistrySettings(dir, { url, token: reg.createToken(`visitor-${name}`) });
  return dir;
}

const prepare = (dir: string, ...args: string[]) => runFieldline(['visit', 'prepare', ...args, '--data-dir', dir, '--json']);
const statusOf = async (dir: string) => lastJsonLine((await runFieldline(['visit', 'status', '--data-dir', dir, '--json'])).stdout);
const kitFolders = (dir: string): string[] => readdirSync(visitDir(dir)).filter((n) => /^[0-9a-f-]{36}$/.test(n));

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'fieldline-visit-'));
  reg = await startTestRegistry();
  // The provisioning station: its runs (two gateways at berlin-1, one elsewhere), a service record, its releases
  // and its revocation list, all uploaded the way its sync does.
  const token = reg.createToken('line-1');
  const client = new RegistryClient({ url: reg.url, token });
  const releases = new ReleaseClient({ url: reg.url, token: bindToken(reg.url, token) });
  await publish(releases, PROFILE_V1, '1.0.0');
  await publish(releases, PROFILE_V2, '2.0.0');
  await publish(releases, FIRMWARE_V1, '1.0.0', 'firmware', 'berlin-fw');
  await publish(releases, FIRMWARE_V2, '1.1.0', 'firmware', 'berlin-fw');
  provisioned.push(deviceRun('GW-BER-1', 'berlin-1', { certificate: { ...revokedCert, subject: 'CN=GW-BER-1', notBefore: '2026-11-20T08:00:00.000Z', notAfter: '2027-11-20T08:00:00.000Z', mode: 'csr' } }));
  provisioned.push(deviceRun('GW-BER-2', 'berlin-1'));
  const service = deviceRun('GW-BER-1', undefined, {
    id: randomUUID(),
    startedAt: '2026-12-01T08:00:00.000Z',
    service: { action: 'diagnose', operator: 'ana', basedOnRunId: provisioned[0]!.id, basedOnSource: 'store', before: {}, after: {} },
  });
  const elsewhere = deviceRun('GW-MUC-1', 'munich-2');
  const upload = await client.uploadRecords([...provisioned, service, elsewhere]);
  expect(upload).toMatchObject({ kind: 'acknowledged', reply: { rejected: [] } });
  await client.putRevocations({ issuer: revokedCert.issuer, entries: [{ serial: revokedCert.serial, fingerprintSha256: revokedCert.fingerprintSha256, revokedAt: '2026-12-02T08:00:00.000Z', reason: 'keyCompromise' }] });
  visitor = await stationDir('visitor', reg.url);
}, 120_000);
afterAll(async () => {
  await reg?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('fieldline visit', () => {
  it('status says there is no kit yet', async () => {
    expect(await statusOf(visitor)).toMatchObject({ prepared: false });
  });

  it('prepare --site pulls the site’s devices, their profile, the newest release and the revocation lists into a station that never saw them', async () => {
    const run = await prepare(visitor, '--site', 'berlin-1');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/device 2\/2 GW-BER-\d: 1 run\(s\)/);
    expect(lastJsonLine(run.stdout)).toMatchObject({
      prepared: true,
      registry: reg.url,
      scope: { kind: 'site', site: 'berlin-1' },
      stale: false,
      counts: { devices: 2, records: 2, serviceRecords: 1, profiles: 2, firmware: 1, revocationLists: 1, missing: 0 },
    });
    const status = await statusOf(visitor);
    expect(status).toMatchObject({ prepared: true, registry: reg.url, counts: { devices: 2 } });
    const text = await runFieldline(['visit', 'status', '--data-dir', visitor]);
    expect(text.stdout).toMatch(/visit kit for site berlin-1, prepared just now .* from http:\/\/127\.0\.0\.1/);

    const core = createCore({ dataDir: visitor, logger: silentLogger });
    try {
      const kit = core.visitKit;
      expect(kit.history('GW-BER-1').map((e) => [e.record.service?.action ?? 'provision', e.source])).toEqual([
        ['provision', 'kit'],
        ['diagnose', 'kit'],
      ]);
      expect(kit.provisionedBy('GW-BER-1')).toMatchObject({ record: { id: provisioned[0]!.id }, source: 'kit' });
      expect(kit.history('GW-MUC-1')).toEqual([]);
      const path = kit.profilePath(sha256(PROFILE_V1));
      expect(path && readFileSync(path, 'utf8')).toBe(PROFILE_V1);
      expect(kit.latestProfile('berlin-gateway')).toMatchObject({ version: '2.0.0', sha256: sha256(PROFILE_V2), channel: 'production' });
      const firmware = kit.latestFirmware('berlin-fw');
      expect(firmware).toMatchObject({ version: '1.1.0', sha256: sha256(FIRMWARE_V2), channel: 'production' });
      expect(readFileSync(firmware!.path, 'utf8')).toBe(FIRMWARE_V2);
      expect(kit.revocation(revokedCert)).toMatchObject({ revoked: true, reason: 'keyCompromise', source: 'kit:line-1' });
    } finally {
      await core.close();
    }
  });

  it('prepare --devices and --devices-file name devices by serial; unknown ones are listed as missing', async () => {
    const dir = await stationDir('by-serial', reg.url);
    const list = join(work, 'serials.txt');
    writeFileSync(list, '# the visit\nGW-MUC-1\nGW-NOPE\n');
    const byFile = await prepare(dir, '--devices-file', list);
    expect(byFile.code, byFile.stderr).toBe(0);
    expect(lastJsonLine(byFile.stdout)).toMatchObject({ scope: { kind: 'devices', requested: 2 }, counts: { devices: 1, missing: 1 }, missing: ['GW-NOPE'] });
    const none = await prepare(dir, '--devices', 'GW-NOPE,GW-NADA');
    expect(none.code).toBe(1);
    expect(lastJsonLine(none.stdout)).toMatchObject({ error: { code: 'VISIT_NO_DEVICES' } });
    // The kit by file is still the one there.
    expect(await statusOf(dir)).toMatchObject({ scope: { kind: 'devices', requested: 2 } });
  });

  it('a site without devices, or no scope, is a clear error and the old kit stays', async () => {
    const before = await statusOf(visitor);
    const nowhere = await prepare(visitor, '--site', 'nowhere-9');
    expect(nowhere.code).toBe(1);
    expect(lastJsonLine(nowhere.stdout)).toMatchObject({ error: { code: 'VISIT_NO_DEVICES', message: expect.stringMatching(/no devices at site "nowhere-9"/) } });
    const usage = await prepare(visitor);
    expect(usage.code).toBe(2);
    expect(lastJsonLine(usage.stdout)).toMatchObject({ error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/exactly one of --site/) } });
    expect(await statusOf(visitor)).toEqual({ ...before, ageMs: expect.any(Number) });
    expect(kitFolders(visitor)).toHaveLength(1);
  });

  describe('through a registry that fails', () => {
    let fault: FaultRegistry;
    let dir: string;
    let misbehave: ((path: string) => Fault | undefined) | undefined;

    beforeAll(async () => {
      fault = await startFaultRegistry({ target: reg.url, fault: (r) => misbehave?.(r.path) });
      dir = await stationDir('faulty', fault.url);
      const first = await prepare(dir, '--site', 'berlin-1');
      expect(first.code, first.stderr).toBe(0);
    });
    afterAll(async () => {
      await fault?.close();
    });

    async function failsAndKeepsTheKit(code: string, says: RegExp): Promise<void> {
      const manifest = readFileSync(visitManifestPath(dir), 'utf8');
      const run = await prepare(dir, '--site', 'berlin-1');
      expect(run.code).toBe(1);
      expect(lastJsonLine(run.stdout)).toMatchObject({ error: { code, message: expect.stringMatching(says) } });
      expect(readFileSync(visitManifestPath(dir), 'utf8')).toBe(manifest);
      expect(kitFolders(dir)).toHaveLength(1);
    }

    it('a device reply that does not fit the API', async () => {
      misbehave = (path) => (path.startsWith('/v1/devices/GW-BER-2') ? { status: 200, body: { serial: 'GW-BER-2', runs: 'many' } } : undefined);
      await failsAndKeepsTheKit('REGISTRY_BAD_REPLY', /GET \/v1\/devices\/GW-BER-2/);
    });

    it('a device reply for another device', async () => {
      misbehave = (path) =>
        path.startsWith('/v1/devices/GW-BER-2') ? { status: 200, body: { serial: 'GW-OTHER', firstSeen: '', lastSeen: '', runs: [], serviceRecords: [] } } : undefined;
      await failsAndKeepsTheKit('REGISTRY_BAD_REPLY', /asked for device GW-BER-2, the registry answered with GW-OTHER/);
    });

    it('revocation lists larger than any reply may be', async () => {
      misbehave = (path) => (path === '/v1/revocations' ? { status: 200, body: 'x'.repeat(33 * 1024 * 1024) } : undefined);
      await failsAndKeepsTheKit('REGISTRY_BAD_REPLY', /larger than/);
    });

    it('a profile artifact with other bytes', async () => {
      misbehave = (path) => (path === `/v1/artifacts/${sha256(PROFILE_V1)}` ? { status: 200, body: 'name: evil\n' } : undefined);
      await failsAndKeepsTheKit('REGISTRY_BAD_REPLY', /other bytes for artifact/);
    });

    it('a registry that stopped', async () => {
      misbehave = undefined;
      await fault.close();
      await failsAndKeepsTheKit('REGISTRY_UNREACHABLE', new RegExp(`${fault.url.replace(/[.]/g, '\\.')}: ECONNREFUSED`));
      // The kit is still read, offline.
      const core = createCore({ dataDir: dir, logger: silentLogger });
      try {
        expect(core.visitKit.provisionedBy('GW-BER-2')).toMatchObject({ source: 'kit' });
      } finally {
        await core.close();
      }
    });
  });
});
