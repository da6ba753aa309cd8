/**
 * A store that held data must never silently become a new, empty one (issue #11): a 0-byte, deleted, emptied or
 * truncated fieldline.db is refused with a STORE_* error, and the file is left as it was found.
 */
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, truncateSync, unlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isFieldlineError } from '../errors';
import { sampleRunRecord } from '../testing/run-records';
import { markerPath } from './marker';
import { resetStore } from './reset';
import { openStore } from './store';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fieldline-marker-'));
  file = join(dir, 'fieldline.db');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isFieldlineError(err) ? err.code : `not a FieldlineError: ${String(err)}`;
  }
  return undefined;
}

/** A store with one run and one audit entry, closed. */
function storeWithData(): void {
  const store = openStore(dir);
  store.saveRun(sampleRunRecord(), [{ actor: 't', action: 'run.start', subject: 'GW' }]);
  store.close();
}

describe('the store marker', () => {
  it('is written when the store first holds data, not before', () => {
    openStore(dir).close();
    expect(existsSync(markerPath(file))).toBe(false);
    storeWithData();
    expect(existsSync(markerPath(file))).toBe(true);
  });

  it('is written by an audit entry alone, too', () => {
    const store = openStore(dir);
    store.appendAudit({ actor: 't', action: 'ca.init', subject: 'station' });
    store.close();
    expect(existsSync(markerPath(file))).toBe(true);
  });

  it('a 0-byte store that had data is refused as STORE_MISSING and stays 0 bytes', () => {
    storeWithData();
    truncateSync(file, 0);
    expect(codeOf(() => openStore(dir))).toBe('STORE_MISSING');
    expect(statSync(file).size).toBe(0);
  });

  it('a deleted store that had data is refused as STORE_MISSING and is not created again', () => {
    storeWithData();
    unlinkSync(file);
    expect(codeOf(() => openStore(dir))).toBe('STORE_MISSING');
    expect(existsSync(file)).toBe(false);
  });

  it('a store replaced by an empty Fieldline store is refused as STORE_MISSING', () => {
    const empty = join(dir, 'empty.db');
    openStore(empty).close();
    storeWithData();
    copyFileSync(empty, file);
    expect(codeOf(() => openStore(dir))).toBe('STORE_MISSING');
  });

  it('a truncated store is refused as STORE_CORRUPT', () => {
    storeWithData();
    truncateSync(file, Math.floor(statSync(file).size / 2));
    expect(codeOf(() => openStore(dir))).toBe('STORE_CORRUPT');
  });

  it('the refusal names the file and the marker', () => {
    storeWithData();
    truncateSync(file, 0);
    let message = '';
    try {
      openStore(dir);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(file);
    expect(message).toContain('fieldline.db.marker');
  });

  it('a store restored from an older backup (fewer runs) opens', () => {
    storeWithData();
    const backup = join(dir, 'backup.db');
    copyFileSync(file, backup);
    const store = openStore(dir);
    store.saveRun(sampleRunRecord({ id: 'later' }));
    store.close();
    copyFileSync(backup, file);
    const restored = openStore(dir);
    expect(restored.listRuns()).toHaveLength(1);
    restored.close();
  });

  it('a store from before markers gets one when it is opened', () => {
    storeWithData();
    unlinkSync(markerPath(file));
    openStore(dir).close();
    expect(existsSync(markerPath(file))).toBe(true);
  });

  it('a 0-byte store is refused before SQLite opens it, so the WAL beside it is left untouched for recovery', async () => {
    const store = openStore(dir);
    store.saveRun(sampleRunRecord());
    // The files as they are while the writer is alive (before its checkpoint at close), with the database emptied.
    const left = await mkdtemp(join(tmpdir(), 'fieldline-marker-wal-'));
    try {
      for (const name of ['fieldline.db', 'fieldline.db-wal', 'fieldline.db.marker']) copyFileSync(join(dir, name), join(left, name));
      store.close();
      truncateSync(join(left, 'fieldline.db'), 0);
      const wal = readFileSync(join(left, 'fieldline.db-wal'));
      expect(wal.length).toBeGreaterThan(0);
      expect(codeOf(() => openStore(left))).toBe('STORE_MISSING');
      expect(readFileSync(join(left, 'fieldline.db-wal')).equals(wal)).toBe(true);
    } finally {
      await rm(left, { recursive: true, force: true });
    }
  });
});

describe('fieldline store reset (resetStore)', () => {
  it('moves a 0-byte store aside, removes the marker, and the next open starts empty', () => {
    storeWithData();
    truncateSync(file, 0);
    const result = resetStore(dir, new Date(Date.UTC(2026, 11, 7, 3, 0, 0)));
    expect(result).toMatchObject({ was: 'missing', movedTo: `${file}.replaced-2026-12-07T03-00-00-000Z` });
    expect(existsSync(markerPath(file))).toBe(false);
    const store = openStore(dir);
    expect(store.verifyAudit()).toEqual({ ok: true, entries: 0 });
    store.close();
  });

  it('moves a damaged store aside with its WAL, keeping it', () => {
    storeWithData();
    truncateSync(file, 1000);
    const result = resetStore(dir);
    expect(result.was).toBe('damaged');
    expect(readdirSync(dir).some((name) => name.startsWith('fieldline.db.replaced-'))).toBe(true);
  });

  it('refuses a healthy store that holds runs, and leaves it alone', () => {
    storeWithData();
    expect(codeOf(() => resetStore(dir))).toBe('INVALID_ARGUMENT');
    const store = openStore(dir);
    expect(store.listRuns()).toHaveLength(1);
    store.close();
  });
});
