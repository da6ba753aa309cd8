/**
 * Where a label goes: a network printer's raw port (9100, "JetDirect"), or a file. Both take the same bytes
 * (the ZPL text as UTF-8, which is plain ASCII after zplLabel's escaping), so a file is an exact copy of a print.
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { FieldlineError } from '../../errors';

export interface PrinterTarget {
  host: string;
  port: number;
}

export const DEFAULT_PRINTER_PORT = 9100;

export function labelBytes(zpl: string): Buffer {
  return Buffer.from(zpl, 'utf8');
}

export function labelSha256(zpl: string): string {
  return createHash('sha256').update(labelBytes(zpl)).digest('hex');
}

/** `host`, `host:port`, `[v6]` or `[v6]:port`. */
export function parsePrinterTarget(text: string): PrinterTarget {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? /^([^:[\]]+)(?::(\d+))?$/.exec(text);
  const port = m?.[2] === undefined ? DEFAULT_PRINTER_PORT : Number(m[2]);
  if (!m || !m[1] || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new FieldlineError('INVALID_ARGUMENT', `printer must be host or host:port (port 1–65535), not "${text}"`);
  }
  return { host: m[1], port };
}

export interface SendOptions {
  /** For connecting and handing over every byte (default 5000 ms). */
  timeoutMs?: number;
}

/**
 * Sends `zpl` to a printer's raw TCP port. Resolves once every byte is written and the connection is closed;
 * PRINTER_UNREACHABLE when the connection is refused, fails, or does not finish within the timeout. A printer that
 * never closes its side is closed by us once the bytes are out (after a short grace for its own close).
 */
export function sendToPrinter(host: string, port = DEFAULT_PRINTER_PORT, zpl: string, options: SendOptions = {}): Promise<{ bytes: number }> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const data = labelBytes(zpl);
  return new Promise((resolve, reject) => {
    let written = false;
    let settled = false;
    let grace: NodeJS.Timeout | undefined;
    const socket = createConnection({ host, port });
    const fail = (reason: string, cause?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(grace);
      socket.destroy();
      reject(new FieldlineError('PRINTER_UNREACHABLE', `${host}:${port}: ${reason}`, { host, port }, { cause }));
    };
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
    socket.on('error', (err: NodeJS.ErrnoException) => fail(err.code === 'ECONNREFUSED' ? 'connection refused' : err.message, err));
    socket.on('connect', () => socket.end(data));
    socket.on('finish', () => {
      written = true;
      clearTimeout(timer);
      grace = setTimeout(() => socket.destroy(), Math.min(timeoutMs, 2000));
    });
    socket.on('data', () => {}); // a printer may answer status bytes; read them so its close reaches us
    socket.on('close', () => {
      clearTimeout(grace);
      if (written && !settled) {
        settled = true;
        resolve({ bytes: data.length });
      } else fail('connection closed before the label was sent');
    });
  });
}

/** Writes the label to a file, byte for byte what sendToPrinter sends. */
export async function writeLabelFile(path: string, zpl: string): Promise<{ bytes: number }> {
  const data = labelBytes(zpl);
  try {
    await writeFile(path, data);
  } catch (err) {
    throw new FieldlineError('INVALID_ARGUMENT', `cannot write the label to ${path}: ${(err as Error).message}`, { path }, { cause: err });
  }
  return { bytes: data.length };
}
