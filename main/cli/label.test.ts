/** `fieldline label` as a user runs it: a child process on a real data directory, a loopback "printer". */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withStoreOf } from '../testing/core-store';
import { STORE_FILE } from '../store/file';
import { sampleRunRecord } from '../testing/run-records';
import { runFieldline, lastJsonLine } from '../testing/cli';

const passed = sampleRunRecord({ id: '7c1e0a55-0001', serial: 'GW-LBL1', outcome: 'passed' });
const failed = sampleRunRecord({ id: '9d0b4c11-0002', serial: 'GW-LBL2', outcome: 'failed' });

let dir: string;
let server: Server;
let printerPort: number;
const jobs: Buffer[] = [];

interface AuditRow {
  action: string;
  subject: string;
  details: string;
}
function auditRows(): Array<{ action: string; subject: string; details: Record<string, unknown> }> {
  const db = new Database(join(dir, STORE_FILE), { readonly: true });
  try {
    const rows = db.prepare("SELECT action, subject, details FROM audit WHERE action = 'label.print' ORDER BY seq").all() as AuditRow[];
    return rows.map((r) => ({ ...r, details: JSON.parse(r.details) as Record<string, unknown> }));
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fieldline-label-cli-'));
  await withStoreOf(dir, (store) => {
    store.saveRun(passed);
    store.saveRun(failed);
  });
  server = createServer((socket) => {
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => {
      jobs.push(Buffer.concat(chunks));
      socket.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  printerPort = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('fieldline label', () => {
  it('writes the label to a file and sends the same bytes to a printer, by run id prefix, with audit entries', async () => {
    const out = join(dir, 'label.zpl');
    const run = await runFieldline(['label', '7c1e', '--out', out, '--printer', `127.0.0.1:${printerPort}`, '--data-dir', dir, '--json'], {}, 60_000);
    expect(run.code, run.stderr).toBe(0);
    const file = await readFile(out);
    const sha256 = createHash('sha256').update(file).digest('hex');
    expect(file.toString('utf8')).toMatch(/^\^XA\n[\s\S]*GW-LBL1[\s\S]*\^BQN[\s\S]*\^XZ\n$/);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.equals(file)).toBe(true);
    expect(lastJsonLine(run.stdout)).toEqual({
      run: passed.id,
      serial: 'GW-LBL1',
      targets: [`file:${out}`, `printer:127.0.0.1:${printerPort}`],
      bytes: file.length,
      sha256,
    });
    const audit = auditRows();
    expect(audit).toEqual([
      { action: 'label.print', subject: 'GW-LBL1', details: { run: passed.id, target: `file:${out}`, bytes: file.length, sha256 } },
      { action: 'label.print', subject: 'GW-LBL1', details: { run: passed.id, target: `printer:127.0.0.1:${printerPort}`, bytes: file.length, sha256 } },
    ]);
  });

  it('prints the ZPL to stdout when no target is given (and audits it as stdout)', async () => {
    const run = await runFieldline(['label', passed.id, '--data-dir', dir], {}, 60_000);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.startsWith('^XA\n')).toBe(true);
    expect(run.stdout).toContain('^FDSN GW-LBL1^FS');
    expect(auditRows().at(-1)?.details.target).toBe('stdout');
  });

  it('refuses a run that did not pass, and reports an unreachable printer', async () => {
    const before = auditRows().length;
    const refused = await runFieldline(['label', failed.id, '--data-dir', dir, '--json'], {}, 60_000);
    expect(refused.code).toBe(1);
    expect((lastJsonLine(refused.stdout).error as { code: string }).code).toBe('LABEL_NOT_PASSED');
    const spare = createServer();
    await new Promise<void>((r) => spare.listen(0, '127.0.0.1', r));
    const freePort = (spare.address() as AddressInfo).port;
    await new Promise<void>((r) => spare.close(() => r()));
    const unreachable = await runFieldline(['label', passed.id, '--printer', `127.0.0.1:${freePort}`, '--data-dir', dir], {}, 60_000);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/label printer cannot be reached/);
    expect(auditRows().length).toBe(before);
  });
});
