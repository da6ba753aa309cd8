/**
 * Protocol-debugging views of raw packets (`fieldline smp decode` / `smp frame`): the header spelled out, the
 * body as JSON with byte strings as {"$bytes": hex}, key order as sent, and which containers were
 * indefinite-length (Zephyr's zcbor sends them that way).
 */
import { FieldlineError } from '../errors';
import { CborMap, decodeCbor, stringifyCborJson, type CborValue } from './cbor';
import { groupName } from './error-codes';
import { decodePacket, OP_NAMES } from './header';
import { encodeSerialFrames } from './serial-framing';

export function parseHex(text: string): Uint8Array {
  const clean = text.replace(/^0x/i, '').replace(/[\s:_-]/g, '');
  if (clean.length === 0 || clean.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(clean)) {
    throw new FieldlineError('INVALID_ARGUMENT', 'expected an even number of hex digits');
  }
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

/** The decoded packet as an ordered CBOR-shaped tree, ready for stringifyCborJson. */
export function describePacket(bytes: Uint8Array): CborMap {
  const { header, body } = decodePacket(bytes);
  const decoded = body.length === 0 ? { value: new CborMap(), indefinite: [] } : decodeCbor(body, { preserveOrder: true });
  const h = new CborMap([
    ['op', header.op],
    ['op_name', OP_NAMES[header.op] ?? `OP_${header.op}`],
    ['version', header.version],
    ['smp_version', header.version === 0 ? 'SMP v1' : header.version === 1 ? 'SMP v2' : `reserved (${header.version})`],
    ['flags', header.flags],
    ['length', header.length],
    ['group', header.group],
    ['group_name', groupName(header.group)],
    ['sequence', header.sequence],
    ['command', header.command],
    ['command_id', header.command],
  ]);
  const entries: Array<[CborValue, CborValue]> = [['header', h]];
  if (decoded.indefinite.length > 0) entries.push(['cbor_indefinite_length_containers', decoded.indefinite]);
  entries.push(['body', decoded.value]);
  return new CborMap(entries);
}

export function decodePacketToJson(bytes: Uint8Array, indent = 0): string {
  return stringifyCborJson(describePacket(bytes), indent);
}

export function frameHex(bytes: Uint8Array): string[] {
  return encodeSerialFrames(bytes).map((f) => Buffer.from(f).toString('hex'));
}
