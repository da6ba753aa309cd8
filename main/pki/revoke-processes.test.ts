/**
 * Revocations from several processes at once all reach the revocation list and the CRL: the list is read, changed
 * and written whole, so without the lock between processes (dir-lock.ts) one process's entry was lost — a certificate
 * the store called revoked that `fieldline ca revoked` did not list (seen in the 20-kill identity test).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../testing/cli';
import { caPaths } from './files';
import { initCa, listRevoked } from './station-ca';

const PASS = 'revocation race passphrase';
const child = join(REPO_ROOT, 'main/testing/revoke-child.ts');
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'fieldline-revoke-race-'));
  await initCa(dataDir, { passphrase: PASS });
});
afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('revocation from several processes', () => {
  it('three processes revoking 15 certificates each at the same moment: all 45 listed, no lock left behind', { timeout: 90_000 }, async () => {
    const run = promisify(execFile);
    // The children load at different speeds: they start revoking together, at a moment set here.
    const startAt = String(Date.now() + 4000);
    const results = await Promise.all(
      ['a0', 'b0', 'c0'].map((prefix) => run(process.execPath, ['--import', 'tsx', child, dataDir, PASS, prefix, '15', startAt], { cwd: REPO_ROOT, timeout: 60_000 })),
    );
    expect(results.map((r) => r.stdout.trim())).toEqual(['done 15', 'done 15', 'done 15']);
    const serials = listRevoked(dataDir).map((e) => e.serial);
    expect(new Set(serials).size).toBe(45);
    expect(serials.filter((s) => s.startsWith('a0'))).toHaveLength(15);
    expect(await readdir(caPaths(dataDir).dir)).not.toContain('.lock');
  });
});
