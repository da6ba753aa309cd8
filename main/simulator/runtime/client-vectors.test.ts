/**
 * The virtual gateway must accept what real clients send: every request in the shared vectors (captured from
 * or checked against public SMP clients) goes through the real dispatcher and device model, and is answered as
 * a Zephyr device would — same sequence, group and command, the right op, and never an SMP-layer failure
 * (unknown command, bad CBOR, corrupt packet). Group-level answers such as KEY_NOT_FOUND are fine.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeCbor } from '../../smp/cbor';
import { decodePacket, Op } from '../../smp/header';
import { testDevice } from '../device/test-support';
import { Dispatcher } from './dispatch';

interface Vector {
  name: string;
  packet_hex: string;
  decoded: { header: { op: number } };
}

const vectors = (JSON.parse(readFileSync(new URL('../../testing/fixtures/smp-vectors.json', import.meta.url), 'utf8')) as Vector[]).filter(
  (v) => v.decoded.header.op === Op.Read || v.decoded.header.op === Op.Write,
);

const SMP_LAYER_FAILURES = new Set([3, 7, 8, 9]); // EINVAL, EMSGSIZE, ENOTSUP, ECORRUPT

describe('virtual gateway answers real client requests', () => {
  it('has request vectors to replay', () => expect(vectors.length).toBeGreaterThanOrEqual(15));

  for (const v of vectors) {
    it(v.name, async () => {
      const t = await testDevice();
      const dispatcher = new Dispatcher({ handlers: t.device.handlers });
      const request = decodePacket(Buffer.from(v.packet_hex, 'hex'));
      const outcome = await dispatcher.dispatch(Buffer.from(v.packet_hex, 'hex'));
      expect(outcome.replies).toHaveLength(1);
      const reply = decodePacket(outcome.replies[0] as Uint8Array);
      expect(reply.header).toMatchObject({
        op: request.header.op + 1,
        version: request.header.version,
        group: request.header.group,
        sequence: request.header.sequence,
        command: request.header.command,
      });
      const body = decodeCbor(reply.body).value as Record<string, unknown>;
      const rc = typeof body.rc === 'number' ? body.rc : 0;
      expect(SMP_LAYER_FAILURES.has(rc), `rc ${rc} in ${JSON.stringify(body)}`).toBe(false);
    });
  }
});
