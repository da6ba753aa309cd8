/**
 * The app's label service: a passed run's label from the stored record to a printer (the one asked for, else the
 * configured one) or to a file, each print audited; refusals in the contract's words.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../log';
import type { RunRecord } from '../contract/run-record';
import { labelSha256, zplLabel } from '../station/labels';
import type { Store } from '../store/types';
import { sampleRunRecord } from '../testing/run-records';
import { createLabelService, fileSafe } from './labels';

const passed = sampleRunRecord({ serial: 'GW-00A1', outcome: 'passed' });
const failed = sampleRunRecord({ serial: 'GW-00A2', outcome: 'failed' });

type Audit = Parameters<Store['appendAudit']>[0];

function fakeStore(records: RunRecord[], audit: Audit[]): Store {
  const byId = new Map(records.map((r) => [r.id, r]));
  return {
    getRun: (id: string) => byId.get(id),
    appendAudit: (entry: Audit) => {
      audit.push(entry);
      return { seq: audit.length, at: '', prevHash: '', hash: '', details: {}, ...entry };
    },
  } as unknown as Store; // only the two methods the label service uses
}

let dataDir: string;
let printer: Server;
let received: Buffer[];
let printerAddress: string;

beforeAll(async () => {
  printer = createServer((socket) => {
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => {
      received.push(Buffer.concat(chunks));
      socket.end();
    });
  });
  await new Promise<void>((resolve) => printer.listen(0, '127.0.0.1', resolve));
  printerAddress = `127.0.0.1:${(printer.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => printer.close(() => resolve())));

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'fieldline-app-labels-'));
  received = [];
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('label service', () => {
  it('writes the label of a passed run to a file in the data directory when no printer is set, and audits it', async () => {
    const audit: Audit[] = [];
    const labels = createLabelService({ dataDir, store: fakeStore([passed], audit), printer: () => undefined, operator: () => 'Ada', logger: silentLogger });
    const printed = await labels.print({ runId: passed.id, via: 'ui' });
    expect(printed.file).toBe(join(dataDir, 'labels', `GW-00A1-${passed.id}.zpl`));
    expect(printed.target).toBe(`file:${printed.file}`);
    const written = await readFile(printed.file!, 'utf8');
    expect(written).toBe(zplLabel(passed));
    expect(printed).toMatchObject({ runId: passed.id, serial: 'GW-00A1', bytes: Buffer.byteLength(written), sha256: labelSha256(written) });
    // The intent first (a kill while writing still leaves a trace of the label), then what was written.
    expect(audit).toEqual([
      { actor: 'operator:Ada', action: 'label.print-start', subject: 'GW-00A1', details: { run: passed.id, target: printed.target, sha256: printed.sha256, via: 'ui' } },
      { actor: 'operator:Ada', action: 'label.print', subject: 'GW-00A1', details: { run: passed.id, target: printed.target, bytes: printed.bytes, sha256: printed.sha256, via: 'ui' } },
    ]);
  });

  it('sends the same bytes to the configured printer, and to the printer asked for over the configured one', async () => {
    const audit: Audit[] = [];
    const labels = createLabelService({ dataDir, store: fakeStore([passed], audit), printer: () => printerAddress, operator: () => 'Ada', logger: silentLogger });
    const first = await labels.print({ runId: passed.id, via: 'line' });
    expect(first.target).toBe(`printer:${printerAddress}`);
    expect(first.file).toBeUndefined();
    const unreachable = createLabelService({ dataDir, store: fakeStore([passed], audit), printer: () => '127.0.0.1:1', operator: () => 'Ada', logger: silentLogger });
    const second = await unreachable.print({ runId: passed.id, printer: printerAddress, via: 'ui' });
    expect(second.target).toBe(`printer:${printerAddress}`);
    await expect.poll(() => received.length, { timeout: 10_000 }).toBe(2); // the default 1 s can run out on a loaded CI
    expect(received.map((b) => b.toString('utf8'))).toEqual([zplLabel(passed), zplLabel(passed)]);
    expect(audit.filter((a) => a.action === 'label.print').map((a) => a.details?.['via'])).toEqual(['line', 'ui']);
  });

  it('refuses a run that did not pass, an unknown run and an unreachable printer; only the printer attempt is audited, as failed', async () => {
    const audit: Audit[] = [];
    const labels = createLabelService({ dataDir, store: fakeStore([passed, failed], audit), printer: () => '127.0.0.1:1', operator: () => 'Ada', logger: silentLogger, timeoutMs: 2000 });
    await expect(labels.print({ runId: failed.id, via: 'ui' })).rejects.toMatchObject({ code: 'LABEL_NOT_PASSED' });
    await expect(labels.print({ runId: '00000000-0000-4000-8000-000000000000', via: 'ui' })).rejects.toMatchObject({ code: 'RUN_NOT_FOUND' });
    await expect(labels.print({ runId: passed.id, via: 'ui' })).rejects.toMatchObject({ code: 'PRINTER_UNREACHABLE' });
    await expect(labels.print({ runId: passed.id, printer: 'printer:99999', via: 'ui' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(audit.map((a) => a.action)).toEqual(['label.print-start', 'label.print-failed']);
    expect(audit[1]?.details).toMatchObject({ run: passed.id, target: 'printer:127.0.0.1:1', error: expect.any(String) });
  });

  it('makes file names from device serials that cannot climb out of the labels folder', () => {
    expect(fileSafe('../../etc/passwd')).toBe('__.._etc_passwd');
    expect(fileSafe('GW 1/ä')).toBe('GW_1__');
    expect(fileSafe('')).toBe('unknown');
    expect(fileSafe('x'.repeat(300))).toHaveLength(64);
  });
});
