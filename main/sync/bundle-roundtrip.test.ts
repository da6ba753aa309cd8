/**
 * Offline bundles end to end, in process: export on station A (rows exported only once the file is durable),
 * delivery from station B both ways (upload-bundle as is, and import through the batch API), the registry showing
 * the same records, A reconciling its exported rows, and a bundle with any single byte altered refused.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFieldlineError } from '../errors';
import type { RunRecord } from '../contract/run-record';
import { openStore, type SqliteStore } from '../store/store';
import { registryRunRecord, startTestRegistry, type TestRegistry } from '../testing/registry';
import { parseBundle, serializeBundle } from '../shared/bundle-format';
import { createBundle } from './bundle';
import { exportBundle } from './bundle-export';
import { importBundle } from './bundle-import';
import { Outbox } from './outbox';
import { reconcileExported } from './reconcile';
import { RegistryClient } from './registry-client';
import { loadStationKey } from './station-key';

let work: string;
let reg: TestRegistry;
let storeA: SqliteStore;
let outboxA: Outbox;
const records: RunRecord[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'fieldline-bundle-'));
  reg = await startTestRegistry();
  mkdirSync(join(work, 'a'));
  storeA = openStore(join(work, 'a'));
  outboxA = new Outbox(storeA);
  for (let i = 0; i < 4; i += 1) {
    const r = registryRunRecord({ serial: `GW-OFF-${i}`, outcome: i === 3 ? 'failed' : 'passed' });
    storeA.saveRun(r);
    records.push(r);
  }
});
afterAll(async () => {
  storeA?.close();
  await reg?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return isFieldlineError(err) ? err.code : `not a FieldlineError: ${String(err)}`;
  }
  return undefined;
};

describe('offline bundles', () => {
  it('export: every pending record in a signed file, then the rows are exported (not sent)', () => {
    const key = loadStationKey(join(work, 'a'));
    reg.registerKey('site-a', key.publicKey);
    const file = join(work, 'site-a.bundle.json');
    const result = exportBundle(outboxA, file, 'site-a', key);
    expect(result).toMatchObject({ file, records: 4, remaining: 0, station: 'site-a', keyId: key.keyId });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(work).filter((f) => f.includes('.tmp-'))).toEqual([]);
    const bundle = parseBundle(readFileSync(file));
    expect(bundle.records).toEqual(records);
    expect(outboxA.counts()).toMatchObject({ pending: 0, exported: 4, sent: 0 });
    expect(outboxA.list()[0]).toMatchObject({ state: 'exported', exportedTo: file });

    // Nothing pending: no file. An existing file is never overwritten.
    expect(exportBundle(outboxA, join(work, 'empty.json'), 'site-a', key).records).toBe(0);
    expect(existsSync(join(work, 'empty.json'))).toBe(false);
    storeA.saveRun(registryRunRecord({ outcome: 'passed' }));
    expect(codeOf(() => exportBundle(outboxA, file, 'site-a', key))).toBe('INVALID_ARGUMENT');
    outboxA.retry([]);
  });

  it('upload-bundle from another station: the registry checks the key and holds the same records, credited to site-a', async () => {
    const carrier = new RegistryClient({ url: reg.url, token: reg.createToken('carrier') });
    const bytes = readFileSync(join(work, 'site-a.bundle.json'));
    expect(await carrier.uploadBundle(bytes)).toEqual({ accepted: records.map((r) => r.id), duplicate: [], rejected: [] });
    for (const r of records) {
      const device = await carrier.device(r.device.serial);
      expect(device?.runs).toHaveLength(1);
      const { receivedAt: _at, receivedFrom, ...stored } = device!.runs[0]!;
      // The registry stamps each record with the bundle's verified station, whatever the record says (line-3).
      expect(stored).toEqual({ ...r, station: { name: 'site-a' } });
      expect(receivedFrom).toBe('site-a');
    }
    // import of the same bundle: verified locally, sent as batches, all duplicates.
    expect(await importBundle(join(work, 'site-a.bundle.json'), carrier)).toMatchObject({ station: 'site-a', records: 4, accepted: 0, duplicate: 4, rejected: [] });
    expect(reg.registry.db.prepare('SELECT count(*) FROM records').pluck().get()).toBe(4);
  });

  it('reconciliation marks the exported rows sent once the registry holds them', async () => {
    const a = new RegistryClient({ url: reg.url, token: reg.token });
    expect(await reconcileExported(outboxA, a)).toEqual({ checked: 4, devices: 4, confirmed: 4 });
    expect(outboxA.counts()).toMatchObject({ exported: 0, sent: 4 });
    expect(await reconcileExported(outboxA, a)).toEqual({ checked: 0, devices: 0, confirmed: 0 });
  });

  it('import into a registry that has none of them: accepted, credited to the importing station', async () => {
    const other = await startTestRegistry();
    try {
      const result = await importBundle(join(work, 'site-a.bundle.json'), new RegistryClient({ url: other.url, token: other.token }), { batchRecords: 3 });
      expect(result).toMatchObject({ accepted: 4, duplicate: 0, rejected: [] });
      expect(other.registry.db.prepare('SELECT DISTINCT station FROM records').pluck().all()).toEqual(['test-station']);
    } finally {
      await other.close();
    }
  });

  it('refuses a bundle with any one byte altered — locally, and at the registry', async () => {
    const key = loadStationKey(join(work, 'a'));
    // A one-record bundle, so that every byte of it can be altered in turn.
    const valid = serializeBundle(createBundle(records.slice(0, 1), 'site-a', key));
    expect(parseBundle(valid).records).toEqual(records.slice(0, 1));
    const accepted: number[] = [];
    for (let at = 0; at < valid.length; at += 1) {
      for (const flip of [0x01, 0x20]) {
        const altered = Buffer.from(valid);
        altered[at] = altered[at]! ^ flip;
        if (codeOf(() => parseBundle(altered)) !== 'BUNDLE_INVALID') accepted.push(at);
      }
    }
    expect(accepted, `altered bytes accepted at ${accepted.join(', ')}`).toEqual([]);

    const file = join(work, 'tampered.json');
    const altered = Buffer.from(valid);
    const at = valid.indexOf('GW-OFF-0') + 4;
    altered[at] = 0x39;
    writeFileSync(file, altered);
    await expect(importBundle(file, new RegistryClient({ url: reg.url, token: reg.token }))).rejects.toMatchObject({ code: 'BUNDLE_INVALID', message: expect.stringMatching(/does not match its hash/) });
    await expect(new RegistryClient({ url: reg.url, token: reg.token }).uploadBundle(altered)).rejects.toMatchObject({ code: 'BUNDLE_INVALID' });
  });
});
