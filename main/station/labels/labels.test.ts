import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFieldlineError } from '../../errors';
import { sampleRunRecord } from '../../testing/run-records';
import { parsePrinterTarget, sendToPrinter, writeLabelFile, zplEscape, zplLabel, zplUnescape } from '.';

const passed = sampleRunRecord({ serial: 'GW-00A1', outcome: 'passed', startedAt: '2026-11-26T05:40:00.000Z' });
const FP = '12'.repeat(32);

/** The data of the field that follows `command` (up to ^FS), hex escapes decoded. */
function fieldAfter(zpl: string, command: string): string {
  const at = zpl.indexOf(command);
  expect(at, command).toBeGreaterThanOrEqual(0);
  const fd = zpl.indexOf('^FD', at) + 3;
  return zplUnescape(zpl.slice(fd, zpl.indexOf('^FS', fd)));
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fieldline-labels-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('zplLabel', () => {
  it('is one ^XA…^XZ format with the serial, a Code 128 barcode, the short fingerprint, profile and date', () => {
    const zpl = zplLabel(passed);
    expect(zpl.startsWith('^XA\n')).toBe(true);
    expect(zpl.trimEnd().endsWith('^XZ')).toBe(true);
    expect(zpl.match(/\^XA/g)).toHaveLength(1);
    expect(zpl.match(/\^XZ/g)).toHaveLength(1);
    expect(zpl).toContain('^FDSN GW-00A1^FS');
    expect(fieldAfter(zpl, '^BCN')).toBe('>:GW-00A1');
    expect(zpl).toContain('Cert SHA-256 12121212_E2_80_A612121212'); // "…" as UTF-8 escapes
    expect(zpl).toContain('^FDacme-gateway@1.2.0^FS');
    expect(zpl).toContain('^FD2026-11-26  line-3^FS');
    expect(/^[\x20-\x7e\n]*$/.test(zpl)).toBe(true);
  });

  it('has a QR code (^BQN model 2, level M) whose data holds serial, full fingerprint and run id', () => {
    const zpl = zplLabel(passed);
    expect(zpl).toMatch(/\^BQN,2,\d+\^FH\^FDMA,/);
    const data = fieldAfter(zpl, '^BQN');
    expect(data.startsWith('MA,')).toBe(true);
    expect(JSON.parse(data.slice(3))).toEqual({ serial: 'GW-00A1', fp: FP, run: passed.id });
  });

  it('escapes ^ and ~ (and _, \\, controls, non-ASCII) in every field, so a serial cannot inject commands', () => {
    const evil = sampleRunRecord({ serial: 'GW^XZ~JR_1\\\nü', outcome: 'passed' });
    evil.profile.name = 'p^FS~DG';
    const zpl = zplLabel(evil);
    expect(zpl.match(/\^XZ/g)).toHaveLength(1);
    expect(zpl).not.toContain('~');
    expect(zpl).toContain('^FDSN GW_5EXZ_7EJR_5F1_5C_0A_C3_BC^FS');
    expect(zpl).toContain('^FDp_5EFS_7EDG@1.2.0^FS');
    expect(JSON.parse(fieldAfter(zpl, '^BQN').slice(3)).serial).toBe('GW^XZ~JR_1\\\nü');
    expect(zpl).not.toContain('^BCN'); // Code 128 cannot carry a newline or ü: no barcode rather than a wrong one
    const printable = zplLabel(sampleRunRecord({ serial: 'A^B>C~D', outcome: 'passed' }));
    expect(fieldAfter(printable, '^BCN')).toBe('>:A><B>0C>=D'); // Code 128 invocation codes for ^ > ~
  });

  it('round-trips any text through zplEscape / zplUnescape', () => {
    for (const s of ['', 'plain', '^~_\\', '_5E', 'Grüße ✓ 🙂', '\u0000\u001f\u007f']) expect(zplUnescape(zplEscape(s))).toBe(s);
  });

  it('refuses a run that did not pass, with LABEL_NOT_PASSED', () => {
    for (const outcome of ['failed', 'running', 'cancelled', 'interrupted'] as const) {
      let caught: unknown;
      try {
        zplLabel(sampleRunRecord({ outcome }));
      } catch (err) {
        caught = err;
      }
      expect(isFieldlineError(caught, 'LABEL_NOT_PASSED'), outcome).toBe(true);
    }
  });

  it('sizes to the given dots and dpi, and rejects nonsense sizes', () => {
    const zpl = zplLabel(passed, { widthDots: 1200, heightDots: 600, dpi: 300 });
    expect(zpl).toContain('^PW1200\n^LL600');
    expect(zpl).toContain('^BY3^BCN');
    expect(() => zplLabel(passed, { dpi: 0 })).toThrow(/dpi/);
    expect(() => zplLabel(passed, { widthDots: 1.5 })).toThrow(/widthDots/);
  });

  it('prints without a certificate (a profile without identity step), saying so', () => {
    const noCert = { ...passed, certificate: undefined };
    const zpl = zplLabel(noCert);
    expect(zpl).toContain('^FDNo certificate^FS');
    expect(JSON.parse(fieldAfter(zpl, '^BQN').slice(3))).toEqual({ serial: 'GW-00A1', run: passed.id });
  });
});

describe('printer and file', () => {
  let server: Server;
  let port: number;
  const received: Buffer[] = [];
  let closed: Promise<void>;

  beforeAll(async () => {
    let done!: () => void;
    closed = new Promise((r) => (done = r));
    server = createServer((socket) => {
      const chunks: Buffer[] = [];
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('end', () => {
        received.push(Buffer.concat(chunks));
        socket.end();
        done();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('a loopback printer receives exactly the bytes of the file', async () => {
    const zpl = zplLabel(sampleRunRecord({ serial: 'GW-Ü^1', outcome: 'passed' }));
    const file = join(dir, 'label.zpl');
    const written = await writeLabelFile(file, zpl);
    const sent = await sendToPrinter('127.0.0.1', port, zpl, { timeoutMs: 2000 });
    await closed;
    const onDisk = await readFile(file);
    expect(sent.bytes).toBe(written.bytes);
    expect(received).toHaveLength(1);
    expect(received[0]!.equals(onDisk)).toBe(true);
  });

  it('a refused connection is PRINTER_UNREACHABLE, quickly', async () => {
    const spare = createServer();
    await new Promise<void>((r) => spare.listen(0, '127.0.0.1', r));
    const freePort = (spare.address() as AddressInfo).port;
    await new Promise<void>((r) => spare.close(() => r()));
    const err = await sendToPrinter('127.0.0.1', freePort, '^XA^XZ', { timeoutMs: 3000 }).catch((e: unknown) => e);
    expect(isFieldlineError(err, 'PRINTER_UNREACHABLE')).toBe(true);
    // "Quickly" is the cause, not a stopwatch (one fails a loaded CI): the refusal answered, not the 3 s timer,
    // whose message would be "no answer within 3000 ms".
    expect((err as Error).message).toBe(`127.0.0.1:${freePort}: connection refused`);
    expect(((err as Error).cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });

  it('a printer that takes nothing is PRINTER_UNREACHABLE after the timeout', async () => {
    const sockets: Socket[] = [];
    const stuck = createServer((socket) => sockets.push(socket.pause()));
    await new Promise<void>((r) => stuck.listen(0, '127.0.0.1', r));
    const stuckPort = (stuck.address() as AddressInfo).port;
    const err = await sendToPrinter('127.0.0.1', stuckPort, 'x'.repeat(64 * 1024 * 1024), { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(isFieldlineError(err, 'PRINTER_UNREACHABLE')).toBe(true);
    // The given 300 ms timer ended it (its words), not a default one nor the socket's own failure.
    expect((err as Error).message).toBe(`127.0.0.1:${stuckPort}: no answer within 300 ms`);
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => stuck.close(() => r()));
  });

  it('parses printer targets', () => {
    expect(parsePrinterTarget('zebra-1')).toEqual({ host: 'zebra-1', port: 9100 });
    expect(parsePrinterTarget('10.0.0.5:6101')).toEqual({ host: '10.0.0.5', port: 6101 });
    expect(parsePrinterTarget('[::1]:9101')).toEqual({ host: '::1', port: 9101 });
    for (const bad of ['', 'h:0', 'h:70000', 'h:x', '::1']) expect(() => parsePrinterTarget(bad), bad).toThrow(/printer must be/);
  });
});
