import { describe, expect, it } from 'vitest';
import { FieldlineError } from '../errors';
import { MemoryTransport, type DeviceScript } from '../testing/memory-transport';
import { SmpClient } from './client';
import { encodeCbor, type CborValue } from './cbor';
import { encodePacket, Op } from './header';
import { encodeSerialFrames, serialFramer } from './serial-framing';
import { SmpError, SmpGroupError } from './smp-error';
import { echo } from './groups/os';
import { shellExec } from './groups/shell';
import { requestCsr } from './groups/identity';

function setup(script: DeviceScript, options: Partial<ConstructorParameters<typeof SmpClient>[1]> = {}) {
  const transport = new MemoryTransport(script);
  const client = new SmpClient(transport, { framer: serialFramer, versionCache: new Map(), defaultTimeoutMs: 100, ...options });
  return { transport, client };
}

describe('SmpClient', () => {
  it('sends an echo and returns the reply, probing SMP v2 first', async () => {
    const { transport, client } = setup((req) => ({ r: req.body.d as string }));
    await expect(echo(client, 'hi')).resolves.toBe('hi');
    expect(transport.requests[0]?.header.version).toBe(1);
    expect(client.version).toBe(1);
  });

  it('falls back to v1 when the device answers a v2 request in v1, and caches that per device', async () => {
    const { transport, client } = setup((req, reply) => reply({ r: req.body.d as string }, { version: 0 }));
    await echo(client, 'a');
    expect(client.version).toBe(0);
    await echo(client, 'b');
    expect(transport.requests.map((r) => r.header.version)).toEqual([1, 0]);
  });

  it('keeps what it learned to itself unless given a cache: a v2 device after a v1 one on the same port is asked afresh', async () => {
    // The same port path, one device after another (a bootloader, then the application): two clients, no cache given.
    const old = new SmpClient(new MemoryTransport((req, reply) => reply({ r: req.body.d as string }, { version: 0 }), '/dev/ttyACM0'), { framer: serialFramer, defaultTimeoutMs: 100 });
    await echo(old, 'a');
    expect(old.version).toBe(0);
    const fresh = new MemoryTransport((req) => ({ r: req.body.d as string }), '/dev/ttyACM0');
    const client = new SmpClient(fresh, { framer: serialFramer, defaultTimeoutMs: 100 });
    expect(client.version).toBeUndefined();
    await echo(client, 'b');
    expect(fresh.requests.map((r) => r.header.version)).toEqual([1]);
    expect(client.version).toBe(1);
    // A cache handed to both (a run re-opening its device after a reboot) carries the answer over.
    const shared = new Map<string, 0 | 1>();
    await echo(new SmpClient(new MemoryTransport((req, reply) => reply({ r: req.body.d as string }, { version: 0 }), '/dev/ttyACM1'), { framer: serialFramer, versionCache: shared, defaultTimeoutMs: 100 }), 'c');
    const again = new MemoryTransport((req, reply) => reply({ r: req.body.d as string }, { version: 0 }), '/dev/ttyACM1');
    await echo(new SmpClient(again, { framer: serialFramer, versionCache: shared, defaultTimeoutMs: 100 }), 'd');
    expect(again.requests.map((r) => r.header.version)).toEqual([0]);
  });

  it('tries v1 when a first v2 request meets silence (a bootloader that cannot parse v2 headers)', async () => {
    const { transport, client } = setup((req) => (req.header.version === 1 ? null : { r: 'ok' }));
    await expect(echo(client, 'x')).resolves.toBe('ok');
    expect(transport.requests.map((r) => r.header.version)).toEqual([1, 1, 0]);
    expect(client.version).toBe(0);
  });

  it('switches to v2 when a v1 request is refused as UNSUPPORTED_TOO_OLD', async () => {
    const { transport, client } = setup((req) => (req.header.version === 0 ? { rc: 12 } : { r: 'v2' }), { forceVersion: 0 });
    await expect(echo(client, 'x')).resolves.toBe('v2');
    expect(transport.requests.map((r) => r.header.version)).toEqual([0, 1]);
    expect(client.version).toBe(1);
  });

  it('turns a v1 rc into an SmpError naming the code, with the reason', async () => {
    const { client } = setup(() => ({ rc: 8, rsn: 'no handler' }));
    const err = await echo(client, 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SmpError);
    expect((err as SmpError).rcName).toBe('ENOTSUP');
    expect((err as Error).message).toMatch(/ENOTSUP.*no handler/);
  });

  it('turns a v2 group error into an SmpGroupError naming group and code', async () => {
    const { client } = setup(() => ({ err: { group: 1, rc: 33 } }));
    const err = await client.write(1, 0, { confirm: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SmpGroupError);
    expect((err as SmpGroupError).groupErrorName).toBe('IMAGE_SETTING_TEST_TO_ACTIVE_DENIED');
    expect((err as Error).message).toContain('IMAGE');
  });

  it('treats rc 0 beside a result as success', async () => {
    const { client } = setup(() => ({ rc: 0, r: 'fine' }));
    await expect(echo(client, 'x')).resolves.toBe('fine');
  });

  it('retries after a timeout under a new sequence number and drops the late reply to the first attempt', async () => {
    let calls = 0;
    const { transport, client } = setup(
      (req, reply) => {
        calls++;
        if (calls === 1) reply({ r: 'late' }, {}, 150); // arrives after the retry went out
        else reply({ r: 'second' }, {}, 5);
      },
      { forceVersion: 1 },
    );
    const first = await echo(client, 'x');
    // Either answer is a correct reply to the same request; what matters is that the next request is not
    // answered by the leftover.
    expect(['late', 'second']).toContain(first);
    const seqs = transport.requests.map((r) => r.header.sequence);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(client.stats.retries).toBe(1);
    // The leftover reply arrives later and is dropped, not taken as the answer to the next request.
    await new Promise((r) => setTimeout(r, 200));
    calls = 10;
    await expect(echo(client, 'y')).resolves.toBe('second');
  });

  it('never matches a stale reply to a newer request', async () => {
    const { transport, client } = setup(() => null, { forceVersion: 1, defaultRetries: 0 });
    await expect(echo(client, 'a')).rejects.toMatchObject({ code: 'DEVICE_TIMEOUT' });
    const staleSeq = transport.requests[0]?.header.sequence as number;
    // The stale reply arrives now, while a new request is outstanding.
    const pending = echo(client, 'b');
    await new Promise((r) => setTimeout(r, 1));
    const stale = encodePacket({ op: Op.WriteRsp, version: 1, flags: 0, group: 0, sequence: staleSeq, command: 0 }, encodeCbor({ r: 'a' }));
    for (const f of encodeSerialFrames(stale)) transport.inject(f);
    const newSeq = transport.requests[1]?.header.sequence as number;
    expect(newSeq).not.toBe(staleSeq);
    const good = encodePacket({ op: Op.WriteRsp, version: 1, flags: 0, group: 0, sequence: newSeq, command: 0 }, encodeCbor({ r: 'b' }));
    for (const f of encodeSerialFrames(good)) transport.inject(f);
    await expect(pending).resolves.toBe('b');
    expect(client.stats.staleReplies).toBe(1);
  });

  it('drops a reply whose group or command does not match the request with that sequence', async () => {
    const { client } = setup((req, reply) => {
      reply({ r: 'wrong' }, { command: 5 });
      reply({ r: 'right' }, {}, 5);
    });
    await expect(echo(client, 'x')).resolves.toBe('right');
    expect(client.stats.staleReplies).toBe(1);
  });

  it('gives DEVICE_TIMEOUT after the retries are used up, naming group and attempts', async () => {
    const { transport, client } = setup(() => null, { forceVersion: 1, defaultRetries: 2 });
    const err = (await echo(client, 'x').catch((e: unknown) => e)) as FieldlineError;
    expect(err.code).toBe('DEVICE_TIMEOUT');
    expect(err.message).toMatch(/OS command 0 after 3 attempt/);
    expect(transport.requests).toHaveLength(3);
  });

  it('fails everything outstanding when the transport vanishes', async () => {
    const { transport, client } = setup(() => null, { defaultTimeoutMs: 5000 });
    const pending = echo(client, 'x');
    transport.vanish(new FieldlineError('PORT_VANISHED', 'gone'));
    await expect(pending).rejects.toMatchObject({ code: 'PORT_VANISHED' });
    await expect(echo(client, 'y')).rejects.toMatchObject({ code: 'PORT_VANISHED' });
  });

  it('keeps at most maxInFlight requests outstanding', async () => {
    let outstanding = 0;
    let peak = 0;
    const { client } = setup((req, reply) => {
      outstanding++;
      peak = Math.max(peak, outstanding);
      setTimeout(() => {
        outstanding--;
        reply({ r: req.body.d as string });
      }, 5);
    });
    client.setMaxInFlight(3);
    await Promise.all(Array.from({ length: 10 }, (_, i) => echo(client, String(i))));
    expect(peak).toBe(3);
  });

  it('can be cancelled with an AbortSignal', async () => {
    const { client } = setup(() => null, { defaultTimeoutMs: 5000 });
    const ac = new AbortController();
    const pending = client.write(0, 0, { d: 'x' }, { signal: ac.signal });
    ac.abort();
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('ignores a reply body that is not a map and times out cleanly', async () => {
    const { transport, client } = setup(() => null, { forceVersion: 1, defaultRetries: 0 });
    const pending = echo(client, 'x');
    const seq = transport.requests[0]?.header.sequence as number;
    const bad = encodePacket({ op: Op.WriteRsp, version: 1, flags: 0, group: 0, sequence: seq, command: 0 }, encodeCbor([1, 2]));
    for (const f of encodeSerialFrames(bad)) transport.inject(f);
    await expect(pending).rejects.toMatchObject({ code: 'DEVICE_TIMEOUT' });
    expect(client.stats.malformed).toBe(1);
  });
});

/** A device that loses the first frame it is sent (one lost frame on the line), then answers everything. */
function losesFirstFrame(answer: (body: Record<string, unknown>) => Record<string, CborValue>): DeviceScript {
  let frames = 0;
  return (req) => (++frames === 1 ? null : answer(req.body));
}

describe('SmpClient: idempotent requests are retried, whatever the caller asked (issue #11)', () => {
  it('a read survives one lost frame even when its caller asked for no retries', async () => {
    const { transport, client } = setup(losesFirstFrame(() => ({ val: new Uint8Array([1]) })), { forceVersion: 1 });
    await expect(client.read(3, 0, { name: 'a' }, { retries: 0 })).resolves.toMatchObject({ val: new Uint8Array([1]) });
    expect(transport.requests).toHaveLength(2);
  });

  it('a write marked idempotent survives one lost frame; an unmarked write with retries 0 does not', async () => {
    const marked = setup(losesFirstFrame(() => ({ r: 'ok' })), { forceVersion: 1 });
    await expect(marked.client.write(0, 0, { d: 'x' }, { retries: 0, idempotent: true })).resolves.toMatchObject({ r: 'ok' });
    const unmarked = setup(losesFirstFrame(() => ({ r: 'ok' })), { forceVersion: 1 });
    await expect(unmarked.client.write(0, 0, { d: 'x' }, { retries: 0 })).rejects.toMatchObject({ code: 'DEVICE_TIMEOUT' });
    expect(unmarked.transport.requests).toHaveLength(1);
  });

  it('an identity CSR whose reply is lost is asked for again (a csr replaces a key without certificate)', async () => {
    const { transport, client } = setup(losesFirstFrame(() => ({ csr: new Uint8Array([0x30, 0x00]) })), { forceVersion: 1 });
    await expect(requestCsr(client, 'CN=GW-1', { timeoutMs: 50 })).resolves.toEqual(new Uint8Array([0x30, 0x00]));
    expect(transport.requests).toHaveLength(2);
  });

  it('the client default still bounds the attempts (--retries 0 means one attempt, even for a read)', async () => {
    const { transport, client } = setup(() => null, { forceVersion: 1, defaultRetries: 0 });
    await expect(client.read(3, 0, { name: 'a' })).rejects.toMatchObject({ code: 'DEVICE_TIMEOUT' });
    expect(transport.requests).toHaveLength(1);
  });

  it('echo is idempotent', async () => {
    const { transport, client } = setup(losesFirstFrame((b) => ({ r: b.d as string })), { forceVersion: 1 });
    await expect(echo(client, 'hi')).resolves.toBe('hi');
    expect(transport.requests).toHaveLength(2);
  });

  it('a read-only shell command (hwinfo devid) is retried on the first request to a device; other shell commands are sent once', async () => {
    const devid = (): Record<string, CborValue> => ({ o: 'F1E1D0', ret: 0 });
    // No forced version: this is the very first request, which also probes SMP v2.
    const readOnly = setup(losesFirstFrame(devid));
    await expect(shellExec(readOnly.client, ['hwinfo', 'devid'], { readOnly: true, timeoutMs: 100 })).resolves.toEqual({ output: 'F1E1D0', ret: 0 });
    expect(readOnly.transport.requests).toHaveLength(2);
    const other = setup(losesFirstFrame(devid));
    await expect(shellExec(other.client, ['reboot'], { timeoutMs: 100 })).rejects.toMatchObject({ code: 'DEVICE_TIMEOUT' });
    expect(other.transport.requests).toHaveLength(1);
  });
});
