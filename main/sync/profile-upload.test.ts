/**
 * The profiles a station's runs used reach the registry after a sync pass, once per registry and profile, only for
 * delivered records, a few per pass; a registry that is away or refuses them never fails or holds up the records.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunRecord } from '../contract/run-record';
import { FieldlineError } from '../errors';
import { keepRanProfile } from '../profiles/ran-profiles';
import { openStore, type SqliteStore } from '../store/store';
import { registryRunRecord, startTestRegistry, type TestRegistry } from '../testing/registry';
import { uploadRanProfiles, type ProfileUploadOptions } from './profile-upload';
import { RegistryClient } from './registry-client';
import { saveRegistrySettings } from './registry-config';
import { ReleaseClient } from './release-client';
import { openSyncSession } from './session';

interface Kept {
  sha256: string;
  bytes: Uint8Array;
}

describe('profile upload', () => {
  let dataDir: string;
  let store: SqliteStore;
  let reg: TestRegistry;
  let releases: ReleaseClient;
  let puts: string[];
  let counting: ProfileUploadOptions['client'];

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fieldline-profile-upload-'));
    reg = await startTestRegistry();
    store = openStore(dataDir);
    saveRegistrySettings(dataDir, { url: reg.url, token: reg.token });
    releases = new ReleaseClient({ url: reg.url, token: openSyncSession(dataDir, store).settings.token });
    puts = [];
    counting = {
      putArtifact: (sha256, bytes) => {
        puts.push(sha256);
        return releases.putArtifact(sha256, bytes);
      },
    };
  });
  afterEach(async () => {
    store.close();
    await reg.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const keep = async (text: string): Promise<Kept> => {
    const bytes = new TextEncoder().encode(text);
    const kept = { sha256: createHash('sha256').update(bytes).digest('hex'), bytes };
    await keepRanProfile(dataDir, kept);
    return kept;
  };
  const runWith = (profile: Kept | string, serial: string): RunRecord => {
    const sha256 = typeof profile === 'string' ? profile : profile.sha256;
    const record: RunRecord = { ...registryRunRecord({ serial, outcome: 'passed' }), profile: { name: 'ordinary', version: '1.0.0', sha256 } };
    store.saveRun(record);
    return record;
  };
  const drain = () => openSyncSession(dataDir, store).drainer.drainOnce();
  const upload = (client = counting, maxPerPass?: number) =>
    uploadRanProfiles({ dataDir, store, registry: reg.url, client, ...(maxPerPass ? { maxPerPass } : {}) });
  const held = async (sha256: string): Promise<string | undefined> => {
    const bytes = await releases.heldArtifact(sha256, 1024 * 1024);
    return bytes?.toString('utf8');
  };

  it('sends a profile once a record naming it was delivered, and once only', async () => {
    const profile = await keep('name: ordinary\nversion: 1.0.0\n');
    runWith(profile, 'GW-UP-1');
    // Not delivered yet: the registry has no record naming it, so it is not sent.
    expect(await upload()).toEqual({ uploaded: [], refused: [] });
    expect(puts).toEqual([]);

    // `fieldline sync`'s pass: the record goes, then the profile.
    const pass = await drain();
    expect(pass).toMatchObject({ accepted: 1, remaining: 0 });
    expect(await held(profile.sha256)).toBe('name: ordinary\nversion: 1.0.0\n');

    // Another run with the same profile, delivered: nothing is sent again.
    runWith(profile, 'GW-UP-2');
    await drain();
    expect(await upload()).toEqual({ uploaded: [], refused: [] });
    expect(puts).toEqual([]);
    expect(store.db.prepare('SELECT registry, sha256, result FROM profile_uploads').all()).toEqual([{ registry: reg.url, sha256: profile.sha256, result: 'accepted' }]);
  });

  it('survives a registry outage: nothing remembered, the next pass sends it', async () => {
    const profile = await keep('name: outage\n');
    runWith(profile, 'GW-UP-3');
    await drain();
    store.db.prepare('DELETE FROM profile_uploads').run();
    const away = new ReleaseClient({ url: 'http://127.0.0.1:9', token: { value: 'nope', origin: 'http://127.0.0.1:9' } });
    const failed = await upload(away);
    expect(failed).toMatchObject({ uploaded: [], stopped: expect.stringMatching(/127\.0\.0\.1:9/) });
    expect(store.db.prepare('SELECT count(*) FROM profile_uploads').pluck().get()).toBe(0);
    // The registry already held it from the drain's pass: it answers "duplicate", which counts as acknowledged.
    expect(await upload()).toEqual({ uploaded: [profile.sha256], refused: [] });
    expect(store.db.prepare('SELECT result FROM profile_uploads').pluck().all()).toEqual(['duplicate']);
  });

  it('never fails or holds up the drain: records are delivered while the registry cannot store the profile', async () => {
    const profile = await keep('name: broken-registry\n');
    const record = runWith(profile, 'GW-UP-4');
    await reg.exec(`CREATE TRIGGER no_artifacts BEFORE INSERT ON artifacts BEGIN SELECT RAISE(ABORT, 'disk trouble'); END`);
    const pass = await drain();
    expect(pass).toMatchObject({ accepted: 1, remaining: 0 });
    expect(pass.stopped).toBeUndefined();
    const device = await new RegistryClient({ url: reg.url, token: reg.token }).device('GW-UP-4');
    expect(device?.runs.map((r) => r.id)).toEqual([record.id]);
    expect(await held(profile.sha256)).toBeUndefined();
    expect(store.db.prepare('SELECT count(*) FROM profile_uploads').pluck().get()).toBe(0);

    await reg.exec('DROP TRIGGER no_artifacts');
    runWith(profile, 'GW-UP-5');
    await drain();
    expect(await held(profile.sha256)).toBe('name: broken-registry\n');
  });

  it('sends a few per pass, skips runs without a kept copy, and does not ask again after a refusal', async () => {
    const profiles = [await keep('name: a\n'), await keep('name: b\n'), await keep('name: c\n')];
    profiles.forEach((p, i) => runWith(p, `GW-UP-B${i}`));
    // A run from before the station kept profiles: its profile is nowhere to send.
    runWith('cd'.repeat(32), 'GW-UP-OLD');
    store.db.prepare(`UPDATE outbox SET state = 'sent', sent_at = '2026-12-07T00:00:00.000Z'`).run();

    const first = await upload(counting, 2);
    expect(first.uploaded).toHaveLength(2);
    const second = await upload(counting, 2);
    expect(second.uploaded).toHaveLength(1);
    expect(new Set([...first.uploaded, ...second.uploaded])).toEqual(new Set(profiles.map((p) => p.sha256)));
    expect(await upload(counting, 2)).toEqual({ uploaded: [], refused: [] });
    expect(puts).toHaveLength(3);

    const refused = await keep('name: refused\n');
    runWith(refused, 'GW-UP-R');
    store.db.prepare(`UPDATE outbox SET state = 'sent', sent_at = '2026-12-07T00:00:00.000Z'`).run();
    let asked = 0;
    const refusing: ProfileUploadOptions['client'] = {
      putArtifact: () => {
        asked += 1;
        return Promise.reject(new FieldlineError('REGISTRY_REJECTED', 'HTTP 400 ARTIFACT_INVALID', { status: 400 }));
      },
    };
    expect(await upload(refusing)).toEqual({ uploaded: [], refused: [refused.sha256] });
    expect(await upload(refusing)).toEqual({ uploaded: [], refused: [] });
    expect(asked).toBe(1);
  });
});
