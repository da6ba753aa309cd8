/**
 * Scans as lines of text from a stream: a wedge scanner typing into a terminal (stdin), a FIFO another program
 * writes scans into, or a file of scans. Input nobody checked, so lines are bounded: a line that grows past
 * MAX_LINE without an Enter (a scanner with its suffix switched off, or binary noise) is dropped up to the next line
 * break and reported, never buffered without limit. CR, LF and CR LF all end a line (scanners send each).
 *
 * A FIFO is opened read-write and non-blocking: opening it read-only would block until a writer appears (and keep
 * the process alive at exit), and every writer that closes would end the stream; holding our own write end keeps it
 * open across writers, and destroying the socket ends it at once.
 */
import { constants, createReadStream, openSync, statSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { FieldlineError } from '../errors';

/** Longer than any scan parseScan accepts (it says why it refuses); longer lines are not even kept. */
export const MAX_LINE = 1024;

export interface ScanLineHandlers {
  line(text: string): void;
  /** A line dropped for its length (the number of characters seen before its end). */
  overlong(length: number): void;
}

/** Splits a text stream into lines, bounded; returns a function that stops reading. */
export function readScanLines(stream: Readable, handlers: ScanLineHandlers): () => void {
  let buffer = '';
  let dropping = 0;
  stream.setEncoding('utf8');
  const onData = (chunk: string): void => {
    let rest = chunk;
    for (;;) {
      const end = rest.search(/[\r\n]/);
      if (end < 0) break;
      const piece = rest.slice(0, end);
      rest = rest.slice(end + 1);
      if (dropping > 0) {
        handlers.overlong(dropping + piece.length);
        dropping = 0;
      } else if (buffer.length + piece.length > MAX_LINE) {
        handlers.overlong(buffer.length + piece.length);
      } else {
        const text = buffer + piece;
        if (text.trim() !== '') handlers.line(text);
      }
      buffer = '';
    }
    if (dropping > 0) dropping += rest.length;
    else if (buffer.length + rest.length > MAX_LINE) {
      dropping = buffer.length + rest.length;
      buffer = '';
    } else buffer += rest;
  };
  // A file's last scan may lack its Enter.
  const onEnd = (): void => {
    if (dropping > 0) handlers.overlong(dropping);
    else if (buffer.trim() !== '') handlers.line(buffer);
    buffer = '';
    dropping = 0;
  };
  stream.on('data', onData);
  stream.on('end', onEnd);
  return () => {
    stream.off('data', onData);
    stream.off('end', onEnd);
  };
}

export interface ScanSource {
  stream: Readable;
  close(): void;
}

/** Opens `-` (stdin), a FIFO or a regular file as a stream of scans. */
export function openScanSource(path: string): ScanSource {
  if (path === '-') {
    const stdin = process.stdin;
    return { stream: stdin, close: () => stdin.destroy() };
  }
  let kind: 'fifo' | 'file';
  try {
    const st = statSync(path);
    if (st.isFIFO()) kind = 'fifo';
    else if (st.isFile()) kind = 'file';
    else throw new FieldlineError('INVALID_ARGUMENT', `--scan-input ${path} is not a file, a FIFO or "-" (standard input)`);
  } catch (err) {
    if (err instanceof FieldlineError) throw err;
    throw new FieldlineError('FILE_NOT_FOUND', `--scan-input ${path}: ${(err as Error).message}`);
  }
  if (kind === 'fifo') {
    const fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
    const socket = new Socket({ fd, readable: true, writable: false });
    return { stream: socket, close: () => socket.destroy() };
  }
  const file = createReadStream(path);
  return { stream: file, close: () => file.destroy() };
}
