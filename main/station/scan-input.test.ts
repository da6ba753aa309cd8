import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { closeSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LINE, openScanSource, readScanLines } from './scan-input';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fieldline-scan-input-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function collect(stream: Readable) {
  const lines: string[] = [];
  const overlong: number[] = [];
  const stop = readScanLines(stream, { line: (t) => lines.push(t), overlong: (n) => overlong.push(n) });
  return { lines, overlong, stop };
}

describe('scan lines', () => {
  it('ends a line at CR, LF or CR LF, across chunks, skipping blank lines, and flushes the last one at the end', async () => {
    const s = new PassThrough();
    const c = collect(s);
    s.write('GW1\r');
    s.write('\nGW');
    s.write('2\nsite=MUC-3\r\n\r\n');
    s.end('LAST');
    await new Promise((r) => s.on('end', r));
    expect(c.lines).toEqual(['GW1', 'GW2', 'site=MUC-3', 'LAST']);
    expect(c.overlong).toEqual([]);
  });

  it('drops a line longer than MAX_LINE up to its end, without keeping it, and reads on', async () => {
    const s = new PassThrough();
    const c = collect(s);
    s.write('x'.repeat(MAX_LINE - 10));
    s.write('y'.repeat(50)); // now past the bound: dropped
    s.write('z'.repeat(100_000));
    s.write('\nGW3\n');
    s.write('q'.repeat(MAX_LINE + 1));
    s.end();
    await new Promise((r) => s.on('end', r));
    expect(c.lines).toEqual(['GW3']);
    expect(c.overlong).toEqual([MAX_LINE - 10 + 50 + 100_000, MAX_LINE + 1]);
  });

  it('reads a FIFO across writers that open and close it, and stops at once when closed', async () => {
    const fifo = join(dir, 'scans.fifo');
    execFileSync('mkfifo', [fifo]);
    const source = openScanSource(fifo);
    const c = collect(source.stream);
    for (const text of ['AAA\n', 'BBB\r\n']) {
      const fd = openSync(fifo, 'w');
      writeSync(fd, text);
      closeSync(fd);
    }
    const deadline = Date.now() + 15_000; // a guard against a hang only: a tight one fails a loaded CI
    while (c.lines.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(c.lines).toEqual(['AAA', 'BBB']);
    source.close();
    expect(source.stream.destroyed).toBe(true);
  });

  it('reads a file of scans; refuses a directory or a missing path in words', async () => {
    const file = join(dir, 'scans.txt');
    await writeFile(file, 'S1\nS2\n');
    const source = openScanSource(file);
    const c = collect(source.stream);
    await new Promise((r) => source.stream.on('end', r));
    expect(c.lines).toEqual(['S1', 'S2']);
    expect(() => openScanSource(dir)).toThrow(/not a file, a FIFO or "-"/);
    expect(() => openScanSource(join(dir, 'missing'))).toThrow(expect.objectContaining({ code: 'FILE_NOT_FOUND' }));
  });
});
