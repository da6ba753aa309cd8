/** `fieldline registry serve | token create | station add-key` as an operator runs them: the real CLI, in child processes. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRegistryDb } from '../../registry/db';
import { stationForToken } from '../../registry/tokens';
import { batchUploadReplySchema } from '../contract/registry/api';
import { keyIdOf } from '../shared/bundle-format';
import { registryRunRecord } from '../testing/registry';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/fieldline.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function fieldline(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [bin, ...args], { cwd: work, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end();
  });
}

interface Served {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

/** Starts `registry serve --json` and resolves with its url once it prints it (no sleeping). */
function serve(db: string): Promise<Served> {
  const child = spawn(process.execPath, [bin, 'registry', 'serve', '--port', '0', '--db', db, '--json'], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once('line', (line) => resolve({ child, url: (JSON.parse(line) as { url: string }).url, exited }));
    void exited.then((code) => reject(new Error(`registry serve exited (${code}) before printing its url: ${stderr}`)));
  });
}

let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'fieldline-registry-cli-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('fieldline registry token create', () => {
  it('prints the new token on its last line, and {"station","token"} under --json; both work', async () => {
    const text = await fieldline(['registry', 'token', 'create', '--station', 'line-1', '--db', 'tokens.db']);
    expect(text.code, text.stderr).toBe(0);
    const token = text.stdout.trim().split('\n').pop() as string;
    expect(token).toMatch(/^flt_[A-Za-z0-9_-]{43}$/);

    const json = await fieldline(['registry', 'token', 'create', '--station', 'line-2', '--db', join(work, 'tokens.db'), '--json']);
    expect(json.code, json.stderr).toBe(0);
    const out = JSON.parse(json.stdout) as { station: string; token: string };
    expect(out.station).toBe('line-2');

    const db = openRegistryDb(join(work, 'tokens.db'));
    expect(stationForToken(db, token)).toBe('line-1');
    expect(stationForToken(db, out.token)).toBe('line-2');
    db.close();
  });

  it('refuses a file that is not a registry database, saying so', async () => {
    await writeFile(join(work, 'notes.txt'), 'hello, this is not SQLite at all '.repeat(10));
    const r = await fieldline(['registry', 'token', 'create', '--station', 'x', '--db', 'notes.txt', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('not a Fieldline registry database') } });
  });
});

describe('fieldline registry station add-key', () => {
  it('registers a PEM or base64 key for a station, idempotently; a second station cannot take it', async () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const pem = join(work, 'site.pub.pem');
    await writeFile(pem, publicKey.export({ type: 'spki', format: 'pem' }));
    const spki = Buffer.from(publicKey.export({ type: 'spki', format: 'der' })).toString('base64');

    const fromPem = await fieldline(['registry', 'station', 'add-key', '--station', 'site', '--key', pem, '--db', 'keys.db', '--json']);
    expect(fromPem.code, fromPem.stderr).toBe(0);
    expect(JSON.parse(fromPem.stdout)).toEqual({ station: 'site', keyId: keyIdOf(spki) });
    const fromBase64 = await fieldline(['registry', 'station', 'add-key', '--station', 'site', '--key-base64', spki, '--db', 'keys.db']);
    expect(fromBase64.code, fromBase64.stderr).toBe(0);
    expect(fromBase64.stdout).toContain(keyIdOf(spki));

    const taken = await fieldline(['registry', 'station', 'add-key', '--station', 'other', '--key', pem, '--db', 'keys.db', '--json']);
    expect(taken.code).toBe(2);
    expect(JSON.parse(taken.stdout)).toMatchObject({ error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('"site"') } });
    const neither = await fieldline(['registry', 'station', 'add-key', '--station', 'site', '--db', 'keys.db', '--json']);
    expect(JSON.parse(neither.stdout)).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });
  });
});

describe('fieldline registry serve', () => {
  it('prints its url, serves, and exits 0 on SIGTERM', async () => {
    const served = await serve('serve.db');
    try {
      expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await (await fetch(`${served.url}/v1/health`)).json()).toEqual({ status: 'ok' });
    } finally {
      served.child.kill('SIGTERM');
    }
    expect(await served.exited).toBe(0);
  });

  it('two registries on one database file store each of 50 parallel duplicate uploads exactly once', async () => {
    const db = join(work, 'shared.db');
    const created = await fieldline(['registry', 'token', 'create', '--station', 'line-par', '--db', db, '--json']);
    const { token } = JSON.parse(created.stdout) as { token: string };
    const servers = await Promise.all([serve(db), serve(db)]);
    try {
      const batch = Array.from({ length: 25 }, () => registryRunRecord({ serial: 'GW-SHARED' }));
      const body = JSON.stringify({ records: batch });
      const replies = await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const res = await fetch(`${servers[i % 2]?.url}/v1/records:batch`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body,
          });
          expect(res.status).toBe(200);
          return batchUploadReplySchema.parse(await res.json());
        }),
      );
      const accepted = replies.flatMap((r) => r.accepted).sort();
      expect(accepted).toEqual(batch.map((r) => r.id).sort());
      for (const r of replies) expect(r.accepted.length + r.duplicate.length).toBe(batch.length);
    } finally {
      for (const s of servers) s.child.kill('SIGTERM');
    }
    expect(await Promise.all(servers.map((s) => s.exited))).toEqual([0, 0]);
    const check = openRegistryDb(db);
    expect(check.prepare(`SELECT count(*) FROM records WHERE serial = 'GW-SHARED'`).pluck().get()).toBe(25);
    check.close();
  });
});
