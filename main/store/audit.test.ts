import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUDIT_GENESIS } from './migrations';
import { openStore, type SqliteStore } from './store';
import type { AuditVerdict } from './types';

const root = fileURLToPath(new URL('../../', import.meta.url));
const child = join(root, 'main/testing/audit-append-child.ts');

let dir: string;
let store: SqliteStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fieldline-audit-'));
  store = openStore(dir);
});
afterEach(async () => {
  store.close();
  await rm(dir, { recursive: true, force: true });
});

function fill(n: number, target: SqliteStore = store): void {
  for (let i = 1; i <= n; i += 1) {
    target.appendAudit({ actor: 'station:line-3', action: 'run.finished', subject: `GW-${i}`, details: { i, outcome: i % 7 ? 'passed' : 'failed' } });
  }
}

/** Applies `sql` in a transaction, verifies, and rolls the edit back, so one filled log serves many cases. */
function verifyAfter(sql: string): AuditVerdict {
  store.db.exec('BEGIN');
  try {
    store.db.exec(sql);
    return store.verifyAudit();
  } finally {
    store.db.exec('ROLLBACK');
  }
}

describe('audit log', () => {
  it('verifies an empty log and one of 100 entries, each linked to the one before', () => {
    expect(store.verifyAudit()).toEqual({ ok: true, entries: 0 });
    fill(100);
    expect(store.verifyAudit()).toEqual({ ok: true, entries: 100 });
    const rows = store.db.prepare('SELECT seq, prev_hash, hash FROM audit ORDER BY seq').all() as Array<{ seq: number; prev_hash: string; hash: string }>;
    expect(rows[0]?.prev_hash).toBe(AUDIT_GENESIS);
    rows.slice(1).forEach((row, i) => expect(row.prev_hash).toBe(rows[i]?.hash));
    expect(store.db.prepare('SELECT seq, hash FROM audit_head').get()).toEqual({ seq: 100, hash: rows[99]?.hash });
  });

  it('hashes the documented encoding, with details as canonical JSON', () => {
    const entry = store.appendAudit({ actor: 'tech', action: 'ca.init', subject: 'station', details: { z: 1, a: { y: [1], b: 'é' } } });
    expect(store.db.prepare('SELECT details FROM audit WHERE seq = 1').pluck().get()).toBe('{"a":{"b":"é","y":[1]},"z":1}');
    const encoded = JSON.stringify(['fieldline-audit-v1', 1, entry.at, 'tech', 'ca.init', 'station', '{"a":{"b":"é","y":[1]},"z":1}', AUDIT_GENESIS]);
    expect(entry.hash).toBe(createHash('sha256').update(encoded, 'utf8').digest('hex'));
    expect(entry).toMatchObject({ seq: 1, prevHash: AUDIT_GENESIS, details: { z: 1, a: { y: [1], b: 'é' } } });
  });

  it('redacts secret-looking keys at any depth', () => {
    const entry = store.appendAudit({
      actor: 'tech',
      action: 'ca.import',
      subject: 'station',
      details: { passphrase: 'hunter2', nested: [{ token: 't0k', fingerprint: 'ab12' }], privateKey: 'PEM' },
    });
    expect(entry.details).toEqual({ passphrase: '[redacted]', nested: [{ token: '[redacted]', fingerprint: 'ab12' }], privateKey: '[redacted]' });
    expect(JSON.stringify(store.db.prepare('SELECT * FROM audit').all())).not.toMatch(/hunter2|t0k|PEM/);
  });

  describe('finds the entry that was', () => {
    beforeEach(() => fill(100));

    const columns: Array<[string, string]> = [
      ['at', `at = '2020-01-01T00:00:00.000Z'`],
      ['actor', `actor = 'someone else'`],
      ['action', `action = 'run.deleted'`],
      ['subject', `subject = 'GW-X'`],
      ['details', `details = '{"i":38,"outcome":"passed"}'`],
      ['details (same content, other spacing)', `details = replace(details, ':', ': ')`],
      ['prev_hash', `prev_hash = '${'1'.repeat(64)}'`],
      ['hash', `hash = '${'2'.repeat(64)}'`],
    ];
    for (const [column, set] of columns) {
      it(`edited: ${column}`, () => {
        const verdict = verifyAfter(`UPDATE audit SET ${set} WHERE seq = 37`);
        expect(verdict.ok).toBe(false);
        expect(verdict.problem?.seq).toBe(37);
      });
    }

    it('edited: seq', () => {
      expect(verifyAfter('UPDATE audit SET seq = 1000 WHERE seq = 37').problem).toEqual({ seq: 37, reason: expect.stringMatching(/entry 37 is missing/) });
      expect(verifyAfter('UPDATE audit SET seq = 0 WHERE seq = 1').problem?.seq).toBe(0);
    });

    it('edited, with its hash recomputed: the next entry no longer links to it', () => {
      // What a careful forger does; the break shows at the next entry (or at the head, for the last one).
      const verdict = verifyAfter(`UPDATE audit SET subject = 'GW-X' WHERE seq = 37;`);
      expect(verdict.problem?.seq).toBe(37);
      store.db.exec('BEGIN');
      try {
        const row = store.db.prepare('SELECT * FROM audit WHERE seq = 37').get() as Record<string, string | number>;
        const encoded = JSON.stringify(['fieldline-audit-v1', 37, row.at, row.actor, row.action, 'GW-X', row.details, row.prev_hash]);
        const hash = createHash('sha256').update(encoded).digest('hex');
        store.db.prepare(`UPDATE audit SET subject = 'GW-X', hash = ? WHERE seq = 37`).run(hash);
        expect(store.verifyAudit().problem).toEqual({ seq: 38, reason: expect.stringMatching(/prev_hash does not match the hash of entry 37/) });
      } finally {
        store.db.exec('ROLLBACK');
      }
    });

    it('deleted: first, middle, last', () => {
      expect(verifyAfter('DELETE FROM audit WHERE seq = 1').problem?.seq).toBe(1);
      expect(verifyAfter('DELETE FROM audit WHERE seq = 50').problem).toEqual({ seq: 50, reason: expect.stringMatching(/entry 50 is missing/) });
      expect(verifyAfter('DELETE FROM audit WHERE seq = 100').problem).toEqual({ seq: 100, reason: expect.stringMatching(/end of the log was cut off/) });
      expect(verifyAfter('DELETE FROM audit WHERE seq > 90').problem?.seq).toBe(91);
      expect(verifyAfter('DELETE FROM audit').problem?.seq).toBe(1);
    });

    it('reordered: two entries swapped their seq', () => {
      const verdict = verifyAfter('UPDATE audit SET seq = -1 WHERE seq = 30; UPDATE audit SET seq = 30 WHERE seq = 60; UPDATE audit SET seq = 60 WHERE seq = -1;');
      expect(verdict.problem).toEqual({ seq: 30, reason: expect.stringMatching(/reordered/) });
    });

    it('added outside Fieldline, or the head itself tampered with', () => {
      const forged = `INSERT INTO audit SELECT 101, at, actor, action, subject, details, hash, hash FROM audit WHERE seq = 100`;
      expect(verifyAfter(forged).problem?.seq).toBe(101);
      expect(verifyAfter(`UPDATE audit_head SET hash = '${'3'.repeat(64)}'`).problem?.seq).toBe(100);
      expect(verifyAfter('DELETE FROM audit_head').problem?.seq).toBe(101);
    });

    it('cut off, even after new entries were appended', () => {
      store.db.exec('DELETE FROM audit WHERE seq = 100');
      fill(3);
      expect(store.verifyAudit().problem?.seq).toBe(100);
    });
  });

  it('stays one valid chain when two connections to the same file append in turn', () => {
    const other = openStore(dir);
    try {
      for (let i = 0; i < 20; i += 1) {
        (i % 2 ? store : other).appendAudit({ actor: i % 2 ? 'cli' : 'app', action: 'x', subject: String(i) });
      }
      expect(other.verifyAudit()).toEqual({ ok: true, entries: 20 });
    } finally {
      other.close();
    }
  });

  it('stays one valid chain when three processes append at the same time', async () => {
    const run = promisify(execFile);
    const file = join(dir, 'fieldline.db');
    // The children load at different speeds: they start appending together, at a moment set here.
    const startAt = String(Date.now() + 3000);
    const results = await Promise.all(
      ['app', 'cli', 'station'].map((actor) => run(process.execPath, ['--import', 'tsx', child, file, '150', actor, startAt], { cwd: root, timeout: 60_000 })),
    );
    expect(results.map((r) => r.stdout.trim())).toEqual(['done 150', 'done 150', 'done 150']);
    expect(store.verifyAudit()).toEqual({ ok: true, entries: 450 });
    const actors = store.db.prepare('SELECT actor FROM audit ORDER BY seq').pluck().all() as string[];
    // Interleaved, not one process after the other: otherwise the test proved nothing about contention.
    const switches = actors.filter((a, i) => i > 0 && a !== actors[i - 1]).length;
    expect(switches).toBeGreaterThan(20);
  });
});
