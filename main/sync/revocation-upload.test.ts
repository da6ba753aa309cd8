/**
 * The station CA's revocation list reaches the registry after a sync pass, once per change, and a failure to send it
 * is a status line, never a failed or blocked drain.
 */
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCaMaterial } from '../pki/ca-store';
import { formatName } from '../pki/dn';
import { caPaths } from '../pki/files';
import { initCa, openStationCa } from '../pki/station-ca';
import { openStore, type SqliteStore } from '../store/store';
import { registryRunRecord, startTestRegistry, TEST_STATION, type TestRegistry } from '../testing/registry';
import { RegistryClient } from './registry-client';
import { saveRegistrySettings } from './registry-config';
import { uploadRevocationsIfChanged } from './revocation-upload';
import { openSyncSession } from './session';
import { readRevocationUploadStatus } from './sync-status';

const PASS = 'station passphrase for revocations';

describe('revocation list upload', () => {
  let dataDir: string;
  let store: SqliteStore;
  let reg: TestRegistry;
  let puts: number;
  let client: RegistryClient;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fieldline-revocations-'));
    reg = await startTestRegistry();
    store = openStore(dataDir);
    puts = 0;
    const counting: typeof fetch = (input, init) => {
      if (init?.method === 'PUT') puts += 1;
      return fetch(input, init);
    };
    client = new RegistryClient({ url: reg.url, token: reg.token, fetch: counting });
  });
  afterEach(async () => {
    store.close();
    await reg.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const upload = () => uploadRevocationsIfChanged({ dataDir, store, client });

  it('sends nothing from a station without a CA', async () => {
    expect(await upload()).toBe('no-ca');
    expect(puts).toBe(0);
  });

  it('sends the list with the CA’s issuer, then only when it changed', async () => {
    await initCa(dataDir, { passphrase: PASS });
    const ca = await openStationCa(dataDir, PASS);
    await ca.revoke('0A1B', 'superseded');
    expect(await upload()).toBe('uploaded');
    const issuer = formatName((await loadCaMaterial(dataDir)).intermediate.subjectName);
    const first = (await client.revocations()).lists.find((l) => l.station === TEST_STATION);
    expect(first).toMatchObject({ issuer, entries: [{ serial: 'a1b', reason: 'superseded' }] });
    expect(readRevocationUploadStatus(store.db)).toMatchObject({ hash: expect.stringMatching(/^[0-9a-f]{64}$/), error: null });

    expect(await upload()).toBe('unchanged');
    expect(puts).toBe(1);

    await ca.revoke('0C', 'keyCompromise');
    expect(await upload()).toBe('uploaded');
    expect(puts).toBe(2);
    const second = (await client.revocations()).lists.find((l) => l.station === TEST_STATION);
    expect(second?.entries.map((e) => e.serial)).toEqual(['a1b', 'c']);
  });

  it('keeps the failure in the sync status and sends again once the registry is back', async () => {
    await initCa(dataDir, { passphrase: PASS });
    const ca = await openStationCa(dataDir, PASS);
    await ca.revoke('0D', 'superseded');
    const away = new RegistryClient({ url: 'http://127.0.0.1:9', token: 'nope' });
    expect(await uploadRevocationsIfChanged({ dataDir, store, client: away })).toBe('failed');
    expect(readRevocationUploadStatus(store.db)).toMatchObject({ hash: null, error: expect.stringMatching(/127\.0\.0\.1:9/) });
    expect(await upload()).toBe('uploaded');
    expect(readRevocationUploadStatus(store.db)).toMatchObject({ error: null, uploadedAt: expect.any(String) });
  });

  it('never fails or holds up the drain: records are delivered and the failure is in the status', async () => {
    await initCa(dataDir, { passphrase: PASS });
    writeFileSync(caPaths(dataDir).revoked, 'not a revocation list');
    saveRegistrySettings(dataDir, { url: reg.url, token: reg.token });
    const record = registryRunRecord({ serial: 'GW-REVOKE-1', outcome: 'passed' });
    store.saveRun(record);
    const session = openSyncSession(dataDir, store);
    const pass = await session.drainer.drainOnce();
    expect(pass).toMatchObject({ accepted: 1, remaining: 0 });
    expect(pass.stopped).toBeUndefined();
    expect(readRevocationUploadStatus(store.db).error).toMatch(/revoked\.json is not a revocation list/);
    expect((await client.device('GW-REVOKE-1'))?.runs.map((r) => r.id)).toEqual([record.id]);
  });
});
