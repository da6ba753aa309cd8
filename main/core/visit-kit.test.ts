import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeviceReply } from '../contract/registry/api';
import type { StationRevocationList } from '../contract/registry/revocations';
import type { RunRecord } from '../contract/run-record';
import { loadCaMaterial } from '../pki/ca-store';
import { formatName } from '../pki/dn';
import { initCa, openStationCa } from '../pki/station-ca';
import { keepRanProfile } from '../profiles/ran-profiles';
import { openStore, type SqliteStore } from '../store/store';
import { followChannel } from '../sync/release-store';
import { replaceVisitKit, visitManifestPath } from '../sync/visit-store';
import { holdRelease } from '../testing/releases';
import { sampleRunRecord } from '../testing/run-records';
import { createVisitKit, VISIT_KIT_STALE_MS } from './visit-kit';

const SERIAL = 'GW-KIT-1';
const sha = (bytes: string): string => createHash('sha256').update(bytes).digest('hex');

function run(startedAt: string, changes: Partial<RunRecord> = {}): RunRecord {
  const base = sampleRunRecord({ serial: SERIAL, startedAt, outcome: 'passed' });
  const { certificate: _c, rollback: _r, error: _e, previousRunId: _p, ...rest } = base;
  return { ...rest, ...changes };
}

const cert = (n: number, issuer = 'CN=Station elsewhere'): NonNullable<RunRecord['certificate']> => ({
  serial: `0${n.toString(16)}a1`,
  fingerprintSha256: n.toString(16).padStart(2, '0').repeat(32),
  subject: `CN=${SERIAL}`,
  notBefore: '2026-01-01T00:00:00.000Z',
  notAfter: '2027-01-01T00:00:00.000Z',
  issuer,
  mode: 'csr',
});

const serviceSection = { action: 'diagnose' as const, operator: 'ana', before: {}, after: {} };

const reply = (records: RunRecord[]): DeviceReply => {
  const receipt = { receivedAt: '2026-12-01T00:00:00.000Z', receivedFrom: 'line-1' };
  return {
    serial: SERIAL,
    firstSeen: records[0]?.startedAt ?? '',
    lastSeen: records.at(-1)?.startedAt ?? '',
    site: 'berlin-1',
    runs: records.filter((r) => !r.service).map((r) => ({ ...r, ...receipt })),
    serviceRecords: records.filter((r) => r.service).map((r) => ({ ...r, ...receipt })),
  };
};

describe('visit kit reader', () => {
  let dataDir: string;
  let store: SqliteStore;
  const now = Date.parse('2026-12-07T12:00:00.000Z');

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'fieldline-visit-kit-'));
    store = openStore(dataDir);
  });
  afterEach(() => {
    store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const kitOf = () => createVisitKit({ dataDir, store: () => store, now: () => now });

  async function prepareKit(records: RunRecord[], extra: { lists?: StationRevocationList[]; profile?: string; preparedAt?: string } = {}): Promise<void> {
    await replaceVisitKit(dataDir, async (write) => {
      await write('devices/0.json', JSON.stringify(reply(records)));
      const lists = extra.lists ?? [];
      for (const [i, list] of lists.entries()) await write(`revocations/${i}.json`, JSON.stringify(list));
      const artifacts = [];
      if (extra.profile !== undefined) {
        await write(`artifacts/${sha(extra.profile)}.yaml`, extra.profile);
        artifacts.push({ kind: 'profile' as const, sha256: sha(extra.profile), size: extra.profile.length, file: `artifacts/${sha(extra.profile)}.yaml`, release: { channel: 'production', name: 'acme-gateway', version: '2.0.0', publishedAt: '2026-12-01T00:00:00.000Z' } });
      }
      return {
        preparedAt: extra.preparedAt ?? '2026-12-07T09:00:00.000Z',
        registry: 'http://127.0.0.1:1',
        scope: { kind: 'site', site: 'berlin-1' },
        devices: [{ serial: SERIAL, site: 'berlin-1', file: 'devices/0.json', runs: records.filter((r) => !r.service).length, serviceRecords: records.filter((r) => r.service).length }],
        missing: [],
        artifacts,
        revocations: lists.map((l, i) => ({ station: l.station, issuer: l.issuer, updatedAt: l.updatedAt, entries: l.entries.length, file: `revocations/${i}.json` })),
        warnings: [],
      };
    });
  }

  describe('without a kit', () => {
    it('has no status, and answers history and provisionedBy from the store, oldest first', () => {
      const first = run('2026-11-01T10:00:00.000Z');
      const service = run('2026-11-20T10:00:00.000Z', { service: serviceSection });
      const failed = run('2026-11-10T10:00:00.000Z', { outcome: 'failed' });
      for (const r of [service, first, failed]) store.saveRun(r);
      const kit = kitOf();
      expect(kit.status()).toBeUndefined();
      expect(kit.history(SERIAL).map((e) => [e.record.id, e.source])).toEqual([
        [first.id, 'store'],
        [failed.id, 'store'],
        [service.id, 'store'],
      ]);
      // The service record is newer, and the failed run too, but neither is a provisioning that passed.
      expect(kit.provisionedBy(SERIAL)?.record.id).toBe(first.id);
      expect(kit.history('GW-UNKNOWN')).toEqual([]);
      expect(kit.provisionedBy('GW-UNKNOWN')).toBeUndefined();
    });

    it('finds a profile of the station library and a pulled release by its bytes, and the followed channel’s newest release', async () => {
      const text = 'name: acme-gateway\n';
      mkdirSync(join(dataDir, 'profiles'), { recursive: true });
      writeFileSync(join(dataDir, 'profiles', 'acme.yaml'), text);
      const kit = kitOf();
      expect(kit.profilePath(sha(text))).toBe(join(dataDir, 'profiles', 'acme.yaml'));
      expect(kit.profilePath('00'.repeat(32))).toBeUndefined();
      expect(kit.profilePath('../../etc/passwd')).toBeUndefined();

      expect(kit.latestProfile('acme-gateway')).toBeUndefined();
      await followChannel(dataDir, 'production');
      const older = await holdRelease(dataDir, { kind: 'profile', name: 'acme-gateway', version: '1.0.0', channel: 'production', bytes: Buffer.from('v: 1\n'), publishedAt: '2026-12-01T10:00:00.000Z' });
      const newer = await holdRelease(dataDir, { kind: 'profile', name: 'acme-gateway', version: '1.1.0', channel: 'production', bytes: Buffer.from('v: 2\n'), publishedAt: '2026-12-02T10:00:00.000Z' });
      const fw = await holdRelease(dataDir, { kind: 'firmware', name: 'acme-fw', version: '3.0.0', channel: 'production', bytes: Buffer.from('firmware') });
      expect(kit.latestProfile('acme-gateway')).toMatchObject({ version: '1.1.0', sha256: newer.sha256, channel: 'production' });
      expect(kit.profilePath(older.sha256)).toMatch(/releases/);
      expect(kit.latestFirmware('acme-fw')).toMatchObject({ version: '3.0.0', sha256: fw.sha256 });
      expect(kit.latestFirmware('acme-gateway')).toBeUndefined();
      expect(kit.firmwarePath(fw.sha256)).toBe(kit.latestFirmware('acme-fw')?.path);
      expect(kit.firmwarePath(sha('firmware, other'))).toBeUndefined();
      expect(kit.firmwarePath(newer.sha256)).toBeUndefined();
    });

    it('finds the copy the station kept of a profile its own run used, after the file it came from is gone', async () => {
      const bytes = Buffer.from('name: edited-since\n');
      await keepRanProfile(dataDir, { sha256: sha('name: edited-since\n'), bytes });
      const kit = kitOf();
      expect(kit.profilePath(sha('name: edited-since\n'))).toBe(join(dataDir, 'profiles', 'ran', `${sha('name: edited-since\n')}.yaml`));
      // A kept file whose bytes changed is not that profile any more.
      writeFileSync(join(dataDir, 'profiles', 'ran', `${sha('name: edited-since\n')}.yaml`), 'name: tampered\n');
      expect(kit.profilePath(sha('name: edited-since\n'))).toBeUndefined();
    });

    it('calls a certificate revoked that this station’s CA list names, only under this CA’s issuer', async () => {
      await initCa(dataDir, { passphrase: 'visit kit reader passphrase' });
      const ca = await openStationCa(dataDir, 'visit kit reader passphrase');
      await ca.revoke('00BEEF', 'keyCompromise');
      const issuer = formatName((await loadCaMaterial(dataDir)).intermediate.subjectName);
      const kit = kitOf();
      expect(kit.revocation({ serial: '00beef', fingerprintSha256: '77'.repeat(32), issuer })).toMatchObject({ revoked: true, reason: 'keyCompromise', source: 'station', revokedAt: expect.any(String) });
      expect(kit.revocation({ serial: 'beef', fingerprintSha256: '77'.repeat(32), issuer: 'CN=Another station' })).toEqual({ revoked: false });
    });

    it('calls a certificate revoked that this station’s register has revoked, and nothing else', () => {
      const revoked = cert(1);
      store.saveRun(run('2026-11-01T10:00:00.000Z', { certificate: { ...revoked, revoked: true } }));
      const kit = kitOf();
      expect(kit.revocation(revoked)).toMatchObject({ revoked: true, source: 'station' });
      expect(kit.revocation(cert(2))).toEqual({ revoked: false });
    });
  });

  describe('with a kit', () => {
    it('merges the kit’s records with the store’s by id, the store’s copy winning', async () => {
      const provisioned = run('2026-10-01T10:00:00.000Z', { station: { name: 'line-1' } });
      const kitService = run('2026-11-01T10:00:00.000Z', { service: { ...serviceSection, basedOnRunId: provisioned.id } });
      const shared = run('2026-11-05T10:00:00.000Z', { outcome: 'failed' });
      await prepareKit([provisioned, shared, kitService]);
      // This station holds a newer copy of `shared` (it passed when repaired) and a run of its own.
      store.saveRun({ ...shared, outcome: 'passed', endedAt: '2026-11-05T10:09:00.000Z' });
      const own = run('2026-12-01T10:00:00.000Z', { service: serviceSection });
      store.saveRun(own);

      const kit = kitOf();
      const history = kit.history(SERIAL);
      expect(history.map((e) => [e.record.id, e.source])).toEqual([
        [provisioned.id, 'kit'],
        [kitService.id, 'kit'],
        [shared.id, 'store'],
        [own.id, 'store'],
      ]);
      expect(history[2]?.record.outcome).toBe('passed');
      // The registry's receipt is not part of the record.
      expect(history[0]?.record).toEqual(provisioned);
      expect(kit.provisionedBy(SERIAL)).toMatchObject({ record: { id: shared.id }, source: 'store' });

      const status = kit.status();
      expect(status).toMatchObject({
        preparedAt: '2026-12-07T09:00:00.000Z',
        ageMs: 3 * 3600 * 1000,
        stale: false,
        registry: 'http://127.0.0.1:1',
        scope: { kind: 'site', site: 'berlin-1' },
        counts: { devices: 1, records: 2, serviceRecords: 1, profiles: 0, firmware: 0, revocationLists: 0, missing: 0 },
      });
    });

    it('finds the provisioning run in the kit alone, for a station that never saw the device', async () => {
      const provisioned = run('2026-10-01T10:00:00.000Z');
      await prepareKit([provisioned, run('2026-10-02T10:00:00.000Z', { outcome: 'failed' })]);
      expect(kitOf().provisionedBy(SERIAL)).toEqual({ record: provisioned, source: 'kit' });
    });

    it('says a kit older than 7 days is stale', async () => {
      await prepareKit([], { preparedAt: new Date(now - VISIT_KIT_STALE_MS - 1000).toISOString() });
      expect(kitOf().status()).toMatchObject({ stale: true });
    });

    it('looks a certificate up in every station’s list: by fingerprint, or by serial under the same issuer', async () => {
      const byFingerprint = cert(3, 'CN=Station line-1');
      const bySerial = cert(4, 'CN=Station line-1');
      const list: StationRevocationList = {
        station: 'line-1',
        issuer: 'CN=Station line-1',
        updatedAt: '2026-12-01T00:00:00.000Z',
        entries: [
          { serial: '3a1', fingerprintSha256: byFingerprint.fingerprintSha256, revokedAt: '2026-11-30T00:00:00.000Z', reason: 'superseded' },
          { serial: '4a1', revokedAt: '2026-11-29T00:00:00.000Z', reason: 'keyCompromise' },
        ],
      };
      await prepareKit([], { lists: [list] });
      const kit = kitOf();
      expect(kit.revocation(byFingerprint)).toEqual({ revoked: true, revokedAt: '2026-11-30T00:00:00.000Z', reason: 'superseded', source: 'kit:line-1' });
      expect(kit.revocation(bySerial)).toMatchObject({ revoked: true, reason: 'keyCompromise', source: 'kit:line-1' });
      // The same serial from another issuer is another certificate.
      expect(kit.revocation({ ...bySerial, issuer: 'CN=Station line-2' })).toEqual({ revoked: false });
      // This station's register is asked first.
      store.saveRun(run('2026-11-01T10:00:00.000Z', { certificate: { ...byFingerprint, revoked: true } }));
      expect(kit.revocation(byFingerprint)).toMatchObject({ revoked: true, source: 'station' });
    });

    it('offers the kit’s released profile by name and by hash, and not once its bytes changed', async () => {
      const text = 'name: acme-gateway\nversion: 2.0.0\n';
      await prepareKit([], { profile: text });
      const kit = kitOf();
      const latest = kit.latestProfile('acme-gateway');
      expect(latest).toMatchObject({ version: '2.0.0', sha256: sha(text), channel: 'production' });
      expect(kit.profilePath(sha(text))).toBe(latest?.path);
      writeFileSync(latest!.path, text + '# changed\n');
      expect(kit.latestProfile('acme-gateway')).toBeUndefined();
      expect(kit.profilePath(sha(text))).toBeUndefined();
    });

    it('works from the store when the kit is damaged', async () => {
      const own = run('2026-11-01T10:00:00.000Z');
      store.saveRun(own);
      await prepareKit([run('2026-10-01T10:00:00.000Z')]);
      writeFileSync(visitManifestPath(dataDir), '{"format":1,');
      const kit = kitOf();
      expect(kit.status()).toBeUndefined();
      expect(kit.history(SERIAL)).toEqual([{ record: own, source: 'store' }]);
    });

    it('sees a kit replaced by another process', async () => {
      const kit = kitOf();
      expect(kit.status()).toBeUndefined();
      const first = run('2026-10-01T10:00:00.000Z', { id: randomUUID() });
      await prepareKit([first]);
      expect(kit.history(SERIAL).map((e) => e.record.id)).toEqual([first.id]);
      const second = run('2026-10-02T10:00:00.000Z');
      await prepareKit([second]);
      expect(kit.history(SERIAL).map((e) => e.record.id)).toEqual([second.id]);
    });
  });
});
