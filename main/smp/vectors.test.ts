/** Every public test vector (shared/protocol/vectors.json, copied into the repo) decodes and frames exactly. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { crc16Xmodem } from './crc16';
import { decodeCbor, encodeCbor, type CborValue } from './cbor';
import { decodeHeader, encodePacket } from './header';
import { describePacket, frameHex, parseHex } from './inspect';
import { SerialPacketDecoder } from './serial-framing';
import { stringifyCborJson } from './cbor';

interface Vector {
  name: string;
  packet_hex: string;
  decoded: { header: Record<string, unknown>; body: unknown; cbor_indefinite_length_containers?: string[] };
  crc16_xmodem: string;
  serial_frames_hex: string[];
  public_serial_frames_hex?: string[];
}

const vectors = JSON.parse(readFileSync(new URL('../testing/fixtures/smp-vectors.json', import.meta.url), 'utf8')) as Vector[];

/** JSON body back to CBOR values ({"$bytes": hex} → bytes) to re-encode requests. */
function fromJson(v: unknown): CborValue {
  if (Array.isArray(v)) return v.map(fromJson);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.$bytes === 'string' && Object.keys(o).length === 1) return Uint8Array.from(Buffer.from(o.$bytes, 'hex'));
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, fromJson(x)]));
  }
  return v as CborValue;
}

describe('SMP test vectors', () => {
  it('has all 32 vectors', () => expect(vectors.length).toBeGreaterThanOrEqual(32));

  for (const v of vectors) {
    describe(v.name, () => {
      const packet = parseHex(v.packet_hex);

      it('decodes header and body to `decoded`, keys in order', () => {
        const shown = JSON.parse(stringifyCborJson(describePacket(packet))) as typeof v.decoded & { header: Record<string, unknown> };
        const expectedHeader = v.decoded.header;
        for (const [k, val] of Object.entries(expectedHeader)) expect(shown.header[k], k).toEqual(val);
        expect(shown.header.command).toBe(expectedHeader.command_id);
        expect(shown.body).toEqual(v.decoded.body);
        expect(Object.keys(shown.body as object)).toEqual(Object.keys(v.decoded.body as object));
        expect(shown.cbor_indefinite_length_containers).toEqual(v.decoded.cbor_indefinite_length_containers);
      });

      it('has the stated CRC-16/XMODEM', () => {
        expect(crc16Xmodem(packet)).toBe(parseInt(v.crc16_xmodem, 16));
      });

      it('frames to serial_frames_hex', () => {
        expect(frameHex(packet)).toEqual(v.serial_frames_hex);
      });

      it('reassembles from its frames, with console noise between them', () => {
        const got: Uint8Array[] = [];
        const decoder = new SerialPacketDecoder({ onPacket: (p) => got.push(p), onError: (e) => { throw e; } });
        const frames = v.public_serial_frames_hex ?? v.serial_frames_hex;
        decoder.push(Buffer.from('uart:~$ log line\r\n'));
        for (const f of frames) {
          decoder.push(Buffer.from(f, 'hex'));
          decoder.push(Buffer.from('[00:00:01.000] <inf> noise\n'));
        }
        expect(got).toHaveLength(1);
        expect(Buffer.from(got[0] as Uint8Array).toString('hex')).toBe(v.packet_hex);
      });

      if (!v.decoded.cbor_indefinite_length_containers) {
        it('re-encodes the body to the same bytes (definite, minimal)', () => {
          const header = decodeHeader(packet);
          const body = encodeCbor(fromJson(v.decoded.body));
          const rebuilt = encodePacket({ ...header }, body);
          expect(Buffer.from(rebuilt).toString('hex')).toBe(v.packet_hex);
          expect(decodeCbor(body).value).toEqual(fromJson(v.decoded.body));
        });
      }
    });
  }
});
