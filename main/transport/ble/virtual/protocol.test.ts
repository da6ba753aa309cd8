import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  clientMessageSchema,
  encodeFrame,
  FrameDecoder,
  fromBase64,
  MAX_FRAME,
  simMessageSchema,
  toBase64,
  type ClientMessage,
  type SimMessage,
} from './protocol';

function decoder<T>(schema: z.ZodType<T>) {
  const messages: T[] = [];
  const errors: string[] = [];
  const d = new FrameDecoder<T>(
    schema,
    (m) => messages.push(m),
    (e) => errors.push(e.message),
  );
  return { d, messages, errors };
}

function rawFrame(json: string): Buffer {
  const body = Buffer.from(json, 'utf8');
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  return Buffer.concat([head, body]);
}

describe('BLE simulator protocol frames', () => {
  it('round-trips every message type, whole or one byte at a time', () => {
    const sent: ClientMessage[] = [
      { type: 'hello', version: 1, client: 'test' },
      { type: 'scan-start', allowDuplicates: true },
      { type: 'scan-stop' },
      { type: 'connect', address: 'c0:11:22:33:44:55', mtu: 498 },
      { type: 'subscribe', address: 'c0:11:22:33:44:55', enable: true },
      { type: 'write', address: 'c0:11:22:33:44:55', data: toBase64(Uint8Array.of(1, 2, 3)), withoutResponse: true },
      { type: 'disconnect', address: 'c0:11:22:33:44:55' },
    ];
    const whole = decoder<ClientMessage>(clientMessageSchema);
    whole.d.push(Buffer.concat(sent.map(encodeFrame)));
    expect(whole.messages).toEqual(sent);
    const bytewise = decoder<ClientMessage>(clientMessageSchema);
    for (const b of Buffer.concat(sent.map(encodeFrame))) bytewise.d.push(Uint8Array.of(b));
    expect(bytewise.messages).toEqual(sent);
    expect(bytewise.errors).toEqual([]);
  });

  it('carries binary values as base64, exactly', () => {
    const bytes = Uint8Array.from({ length: 512 }, (_, i) => (i * 7) & 0xff);
    const msg: SimMessage = { type: 'notification', address: 'c0:00:00:00:00:01', data: toBase64(bytes) };
    const { d, messages } = decoder<SimMessage>(simMessageSchema);
    d.push(encodeFrame(msg));
    const got = messages[0] as Extract<SimMessage, { type: 'notification' }>;
    expect(Array.from(fromBase64(got.data))).toEqual(Array.from(bytes));
  });

  it('rejects a length prefix of 0 or beyond the frame limit without waiting for the body', () => {
    for (const size of [0, MAX_FRAME + 1, 0xffffffff]) {
      const { d, errors, messages } = decoder<ClientMessage>(clientMessageSchema);
      const head = Buffer.alloc(4);
      head.writeUInt32BE(size);
      d.push(head);
      expect(errors, `size ${size}`).toHaveLength(1);
      expect(errors[0]).toMatch(/frame length/);
      expect(messages).toEqual([]);
    }
  });

  it('rejects frames that are not JSON, and messages of the wrong shape, and then stays failed', () => {
    const cases: Array<[string, RegExp]> = [
      ['{not json', /not JSON/],
      ['[]', /invalid message/],
      ['{"type":"launch"}', /invalid message/],
      ['{"type":"connect","address":"C0:11:22:33:44:55","mtu":247}', /address/], // upper case is not how noble spells it
      ['{"type":"connect","address":"c0:11:22:33:44:55","mtu":600}', /mtu/],
      ['{"type":"write","address":"c0:11:22:33:44:55","data":"***","withoutResponse":true}', /data/],
      ['{"type":"scan-stop","extra":1}', /invalid message/],
    ];
    for (const [json, why] of cases) {
      const { d, errors, messages } = decoder<ClientMessage>(clientMessageSchema);
      d.push(rawFrame(json));
      expect(errors, json).toHaveLength(1);
      expect(errors[0], json).toMatch(why);
      // Anything after a bad frame is ignored: the connection is about to be closed.
      d.push(encodeFrame({ type: 'scan-stop' }));
      expect(messages, json).toEqual([]);
    }
  });

  it('refuses values longer than an ATT attribute (512 bytes)', () => {
    const big = toBase64(new Uint8Array(513));
    expect(clientMessageSchema.safeParse({ type: 'write', address: 'c0:11:22:33:44:55', data: big, withoutResponse: true }).success).toBe(false);
    const max = toBase64(new Uint8Array(512));
    expect(clientMessageSchema.safeParse({ type: 'write', address: 'c0:11:22:33:44:55', data: max, withoutResponse: true }).success).toBe(true);
  });

  it('will not encode a message larger than a frame', () => {
    expect(() => encodeFrame({ type: 'hello', version: 1, client: 'x'.repeat(MAX_FRAME) })).toThrow(/frame limit/);
  });
});
