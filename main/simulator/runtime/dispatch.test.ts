import { describe, expect, it } from 'vitest';
import { decodeCbor, encodeCbor, type CborValue } from '../../smp/cbor';
import { MGMT_RC } from '../../smp/error-codes';
import { HEADER_SIZE, Op, decodePacket, encodePacket } from '../../smp/header';
import type { GroupHandler, SimReply, SimRequest } from '../handler';
import { Dispatcher } from './dispatch';

interface Seen {
  requests: SimRequest[];
}

/** OS echo (0/0) plus commands that answer with each reply kind; group 64 answers a user-group error. */
function handlers(seen: Seen): GroupHandler[] {
  const os: GroupHandler = {
    group: 0,
    async handle(request, effects): Promise<SimReply> {
      seen.requests.push(request);
      switch (request.command) {
        case 0:
          return { kind: 'ok', body: { r: request.body.d } };
        case 5:
          effects.reboot();
          return { kind: 'ok', body: {} };
        case 2:
          return { kind: 'ok', body: { blob: new Uint8Array(1000) } };
        case 9:
          throw new Error('handler bug');
        default:
          return { kind: 'smp-error', name: 'ENOTSUP', reason: 'no such command' };
      }
    },
  };
  const fs: GroupHandler = {
    group: 8,
    handle: async () => ({ kind: 'group-error', name: 'FILE_OFFSET_NOT_VALID', extra: { len: 42 } }),
  };
  const fsMissing: GroupHandler = {
    group: 3,
    handle: async () => ({ kind: 'group-error', name: 'KEY_NOT_FOUND' }),
  };
  const identity: GroupHandler = {
    group: 64,
    handle: async () => ({ kind: 'group-error', name: 'NO_KEY' }),
  };
  return [os, fs, fsMissing, identity];
}

function request(opts: { version?: number; op?: Op; group?: number; command?: number; seq?: number; body?: Uint8Array | CborValue }): Uint8Array {
  const body = opts.body instanceof Uint8Array ? opts.body : encodeCbor(opts.body ?? {});
  return encodePacket(
    { op: opts.op ?? Op.Write, version: opts.version ?? 1, flags: 0, group: opts.group ?? 0, sequence: opts.seq ?? 7, command: opts.command ?? 0 },
    body,
  );
}

async function run(packet: Uint8Array, options: { smpV1Only?: boolean; maxReply?: number } = {}) {
  const seen: Seen = { requests: [] };
  const dispatcher = new Dispatcher({ handlers: handlers(seen), ...options });
  const outcome = await dispatcher.dispatch(packet);
  const replies = outcome.replies.map((bytes) => {
    const { header, body } = decodePacket(bytes);
    const decoded = decodeCbor(body);
    return { header, body: decoded.value as Record<string, CborValue>, indefinite: decoded.indefinite, raw: body };
  });
  return { replies, reboot: outcome.reboot, seen };
}

describe('Dispatcher', () => {
  it('answers like Zephyr: op+1, same group/seq/command, Ver copied, indefinite-length map body', async () => {
    const { replies } = await run(request({ op: Op.Write, seq: 139, body: { d: 'Hello world!' } }));
    expect(replies).toHaveLength(1);
    const [r] = replies;
    expect(r!.header).toMatchObject({ op: Op.WriteRsp, version: 1, group: 0, sequence: 139, command: 0, flags: 0 });
    expect(r!.body).toEqual({ r: 'Hello world!' });
    expect(r!.raw[0]).toBe(0xbf);
    expect(r!.raw[r!.raw.length - 1]).toBe(0xff);
    expect(r!.indefinite).toEqual(['map']);

    const read = await run(request({ op: Op.Read, version: 0, body: { d: 'x' } }));
    expect(read.replies[0]!.header).toMatchObject({ op: Op.ReadRsp, version: 0 });
  });

  it('v2 group error: err {group, rc} plus the extra fields', async () => {
    const { replies } = await run(request({ group: 8, version: 1 }));
    expect(replies[0]!.body).toEqual({ err: { group: 8, rc: 11 }, len: 42 });
    expect(replies[0]!.indefinite).toEqual(['map', 'map']);
  });

  it('v1 group error: legacy rc translated as Zephyr does, extras dropped', async () => {
    const fs = await run(request({ group: 8, version: 0 }));
    expect(fs.replies[0]!.body).toEqual({ rc: MGMT_RC.EUNKNOWN }); // FILE_OFFSET_NOT_VALID has no legacy twin
    expect(fs.replies[0]!.header.version).toBe(0);
    const settings = await run(request({ group: 3, version: 0 }));
    expect(settings.replies[0]!.body).toEqual({ rc: MGMT_RC.ENOENT });
  });

  it('v1 group error in a user group: rc = 256 + group code (IDENTITY-GROUP.md)', async () => {
    const v1 = await run(request({ group: 64, version: 0 }));
    expect(v1.replies[0]!.body).toEqual({ rc: 256 + 3 });
    const v2 = await run(request({ group: 64, version: 1 }));
    expect(v2.replies[0]!.body).toEqual({ err: { group: 64, rc: 3 } });
  });

  it('SMP-layer errors are {rc, rsn} in both versions', async () => {
    for (const version of [0, 1]) {
      const { replies } = await run(request({ command: 3, version }));
      expect(replies[0]!.body).toEqual({ rc: MGMT_RC.ENOTSUP, rsn: 'no such command' });
    }
  });

  it('unknown group → ENOTSUP; Ver > 1 → UNSUPPORTED_TOO_NEW with reply Ver clamped to 1', async () => {
    const unknown = await run(request({ group: 42 }));
    expect(unknown.replies[0]!.body).toEqual({ rc: MGMT_RC.ENOTSUP });
    for (const version of [2, 3]) {
      const { replies, seen } = await run(request({ version, body: { d: 'x' } }));
      expect(replies[0]!.body).toEqual({ rc: MGMT_RC.UNSUPPORTED_TOO_NEW });
      expect(replies[0]!.header.version).toBe(1);
      expect(seen.requests).toHaveLength(0);
    }
  });

  it('undecodable or non-map body → EINVAL; header promising more than arrived → ECORRUPT', async () => {
    const bad = await run(request({ body: Uint8Array.of(0xbf, 0x61) }));
    expect(bad.replies[0]!.body).toEqual({ rc: MGMT_RC.EINVAL });
    const notMap = await run(request({ body: encodeCbor([1, 2]) }));
    expect(notMap.replies[0]!.body).toEqual({ rc: MGMT_RC.EINVAL });
    const whole = request({ body: { d: 'hello' } });
    const truncated = await run(whole.subarray(0, whole.length - 2));
    expect(truncated.replies[0]!.body).toEqual({ rc: MGMT_RC.ECORRUPT });
    expect(truncated.replies[0]!.header.sequence).toBe(7);
    // Fewer than 8 bytes: no header, nothing to answer.
    expect((await run(Uint8Array.of(0, 0, 0))).replies).toHaveLength(0);
  });

  it('a response op sent to the server is ENOTSUP; an empty body counts as {}', async () => {
    const rsp = await run(request({ op: Op.WriteRsp }));
    expect(rsp.replies[0]!.body).toEqual({ rc: MGMT_RC.ENOTSUP });
    expect(rsp.replies[0]!.header.op).toBe(Op.WriteRsp);
    const empty = await run(request({ body: new Uint8Array(0) }));
    expect(empty.seen.requests[0]!.body).toEqual({});
  });

  it('v1-only server: ignores the Ver bits, answers Ver 0 with legacy rc', async () => {
    const echo = await run(request({ version: 1, body: { d: 'x' } }), { smpV1Only: true });
    expect(echo.replies[0]!.header.version).toBe(0);
    expect(echo.seen.requests[0]!.version).toBe(0);
    const err = await run(request({ group: 3, version: 1 }), { smpV1Only: true });
    expect(err.replies[0]!.body).toEqual({ rc: MGMT_RC.ENOENT });
    const newer = await run(request({ version: 2, body: { d: 'x' } }), { smpV1Only: true });
    expect(newer.replies[0]!.body).toEqual({ r: 'x' });
  });

  it('several requests in one packet get one reply each; the first error ends the packet', async () => {
    const a = request({ seq: 1, body: { d: 'a' } });
    const b = request({ seq: 2, body: { d: 'b' } });
    const { replies } = await run(Buffer.concat([a, b]));
    expect(replies.map((r) => [r.header.sequence, r.body.r])).toEqual([[1, 'a'], [2, 'b']]);
    const failing = await run(Buffer.concat([request({ seq: 1, group: 42 }), b]));
    expect(failing.replies.map((r) => r.header.sequence)).toEqual([1]);
  });

  it('reports a reboot request after building its reply', async () => {
    const { replies, reboot } = await run(request({ command: 5 }));
    expect(reboot).toBe(true);
    expect(replies[0]!.body).toEqual({});
  });

  it('a reply larger than buf_size becomes EMSGSIZE; a throwing handler becomes EUNKNOWN', async () => {
    const big = await run(request({ command: 2, op: Op.Read }), { maxReply: 384 });
    expect(big.replies[0]!.body).toEqual({ rc: MGMT_RC.EMSGSIZE });
    const fits = await run(request({ command: 2, op: Op.Read }), { maxReply: 2048 });
    expect((fits.replies[0]!.body.blob as Uint8Array).length).toBe(1000);
    expect(fits.replies[0]!.raw.length + HEADER_SIZE).toBeLessThanOrEqual(2048);
    const bug = await run(request({ command: 9 }));
    expect(bug.replies[0]!.body.rc).toBe(MGMT_RC.EUNKNOWN);
  });
});
