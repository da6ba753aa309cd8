/** Tokens are shown once and stored only as a hash; the database file alone cannot authenticate. */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRegistryDb } from './db';
import { createToken, hashToken, stationForToken } from './tokens';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fieldline-tokens-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('tokens', () => {
  it('are flt_ + 32 random bytes in base64url, and each is new', () => {
    const db = openRegistryDb(join(dir, 'r.db'));
    const a = createToken(db, 'line-1');
    const b = createToken(db, 'line-1');
    expect(a).toMatch(/^flt_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.slice(4), 'base64url')).toHaveLength(32);
    expect(a).not.toBe(b);
    expect(stationForToken(db, a)).toBe('line-1');
    expect(stationForToken(db, b)).toBe('line-1');
    expect(stationForToken(db, a.slice(0, -1))).toBeUndefined();
    expect(stationForToken(db, hashToken(a))).toBeUndefined();
    db.close();
  });

  it('never reach the database file, its WAL or its shared memory: only their SHA-256 does', async () => {
    const file = join(dir, 'r.db');
    const token = createToken(file, 'line-2');
    const db = openRegistryDb(file);
    expect(db.prepare('SELECT hash, station FROM tokens').all()).toEqual([
      { hash: createHash('sha256').update(token).digest('hex'), station: 'line-2' },
    ]);
    const secret = token.slice(4);
    for (const name of await readdir(dir)) {
      const bytes = await readFile(join(dir, name));
      expect(bytes.includes(Buffer.from(secret)), name).toBe(false);
      expect(bytes.includes(Buffer.from(secret, 'base64url')), name).toBe(false);
    }
    db.close();
  });

  it('refuse a station name that is empty, blank-padded or has control characters', () => {
    const db = openRegistryDb(':memory:');
    for (const bad of ['', ' line', 'line ', 'a\nb', 'x'.repeat(201)]) expect(() => createToken(db, bad), JSON.stringify(bad)).toThrow(/station name/);
    expect(createToken(db, 'Linie 3 – Halle Süd')).toMatch(/^flt_/);
    db.close();
  });
});
