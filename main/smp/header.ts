/** The 8-byte SMP header (SMP.md §1): all multi-byte fields big-endian; byte 0 = (version << 3) | op. */
import { FieldlineError } from '../errors';

export const HEADER_SIZE = 8;
export const MAX_BODY = 0xffff;

export enum Op {
  Read = 0,
  ReadRsp = 1,
  Write = 2,
  WriteRsp = 3,
}

export const OP_NAMES = ['READ', 'READ_RSP', 'WRITE', 'WRITE_RSP'] as const;

/** 0 = SMP v1 (legacy errors), 1 = SMP v2 (group-scoped errors). */
export type SmpVersion = 0 | 1;

export interface SmpHeader {
  op: Op;
  version: number;
  flags: number;
  length: number;
  group: number;
  sequence: number;
  command: number;
}

export interface SmpPacket {
  header: SmpHeader;
  body: Uint8Array;
}

export function encodeHeader(h: SmpHeader): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE);
  const view = new DataView(out.buffer);
  out[0] = ((h.version & 0x3) << 3) | (h.op & 0x7);
  out[1] = h.flags & 0xff;
  view.setUint16(2, h.length);
  view.setUint16(4, h.group);
  out[6] = h.sequence & 0xff;
  out[7] = h.command & 0xff;
  return out;
}

export function decodeHeader(bytes: Uint8Array): SmpHeader {
  if (bytes.length < HEADER_SIZE) {
    throw new FieldlineError('SMP_MALFORMED', `SMP packet of ${bytes.length} bytes is shorter than its 8-byte header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_SIZE);
  const b0 = bytes[0] as number;
  return {
    op: (b0 & 0x7) as Op,
    version: (b0 >> 3) & 0x3,
    flags: bytes[1] as number,
    length: view.getUint16(2),
    group: view.getUint16(4),
    sequence: bytes[6] as number,
    command: bytes[7] as number,
  };
}

export function encodePacket(header: Omit<SmpHeader, 'length'>, body: Uint8Array): Uint8Array {
  if (body.length > MAX_BODY) throw new RangeError(`SMP body of ${body.length} bytes exceeds ${MAX_BODY}`);
  const out = new Uint8Array(HEADER_SIZE + body.length);
  out.set(encodeHeader({ ...header, length: body.length }), 0);
  out.set(body, HEADER_SIZE);
  return out;
}

/** Splits a packet and checks that the header's length matches the bytes present. */
export function decodePacket(bytes: Uint8Array): SmpPacket {
  const header = decodeHeader(bytes);
  if (header.op > Op.WriteRsp) {
    throw new FieldlineError('SMP_MALFORMED', `SMP header has unknown op ${header.op}`);
  }
  if (HEADER_SIZE + header.length !== bytes.length) {
    throw new FieldlineError(
      'SMP_MALFORMED',
      `SMP header says ${header.length} body bytes but the packet carries ${bytes.length - HEADER_SIZE}`,
    );
  }
  return { header, body: bytes.subarray(HEADER_SIZE) };
}
