/** Tokens are shown once and stored only as a hash; the database file alone cannot authenticate. */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testEngines, type EngineTestRegistry } from '../main/testing/registry';
import { openRegistryDb } from './db';
import { createToken, hashToken, issueToken, stationForToken, tokenStation } from './tokens';

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

// The same promises through the repository, on each engine (PostgreSQL's block says why when it is skipped).
for (const engine of testEngines()) {
  describe.skipIf(engine.unavailable !== undefined)(`tokens on ${engine.title}`, () => {
    let reg: EngineTestRegistry;
    beforeAll(async () => {
      reg = await engine.start();
    });
    afterAll(async () => {
      await reg?.close();
    });

    it('are new each time, found by their station, and stored only as their SHA-256', async () => {
      const { repository } = reg.registry;
      const a = await issueToken(repository, 'line-1');
      const b = await issueToken(repository, 'line-1');
      expect(a).toMatch(/^flt_[A-Za-z0-9_-]{43}$/);
      expect(a).not.toBe(b);
      expect(await tokenStation(repository, a)).toBe('line-1');
      expect(await tokenStation(repository, a.slice(0, -1))).toBeUndefined();
      expect(await tokenStation(repository, hashToken(a))).toBeUndefined();
      expect(await reg.query('SELECT hash, station FROM tokens WHERE station = ? ORDER BY hash', ['line-1'])).toEqual(
        [a, b].map((t) => ({ hash: hashToken(t), station: 'line-1' })).sort((x, y) => (x.hash < y.hash ? -1 : 1)),
      );
    });

    it('refuse a station name that is empty, blank-padded or has control characters', async () => {
      for (const bad of ['', ' line', 'line ', 'a\nb', 'x'.repeat(201)]) {
        await expect(issueToken(reg.registry.repository, bad), JSON.stringify(bad)).rejects.toThrow(/station name/);
      }
      expect(await issueToken(reg.registry.repository, 'Linie 3 – Halle Süd')).toMatch(/^flt_/);
    });
  });
}
