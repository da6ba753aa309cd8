/**
 * The report's registry rows (`--only registry`): the registry's bad-input table. Each hostile input — the ones of
 * issue #11 and a few more — is sent to a real registry (`fieldline registry serve`, its own process, on loopback),
 * and the row shows the expected and actual answer (status, and the error or per-record code), how many records
 * the input stored (counted through GET /v1/records after each row), and whether anything was lost: a record
 * answered accepted or duplicate that GET /v1/devices/{serial} does not return. A row fails when the answer is not
 * the expected one, when it stored more or fewer records than it should, or when the registry process died.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunRecord } from '../../main/contract/run-record';
import { LIMITS, RECORD_BOUNDS } from '../../main/contract/registry/api';
import { registryRunRecord } from '../../main/testing/registry';
import { serveRegistryProcess } from '../../main/testing/registry-process';
import { createToken } from '../../registry/tokens';
import type { ReliabilityProbe, ReliabilitySection } from './section';

/** What came back: status and the code that matters (the error's, or the record's verdict in a batch reply). */
interface Answer {
  status: number;
  /** `RECORD_INVALID`, `accepted`, `duplicate`, an error code, or `reset`/`closed` when no reply was read. */
  code: string;
  detail: string;
}

interface Case {
  input: string;
  expected: { status: number; code: string };
  /** Records this input should add to the registry. */
  stores: number;
  send(): Promise<Answer>;
  /** Records (with the station they must carry) the answer says are held: each must be retrievable. */
  held?: Array<{ record: RunRecord; station: string }>;
}

/** Writes raw bytes on a new connection; the reply, or how the connection failed (a reset while sending counts). */
function rawRequest(port: number, bytes: Buffer): Promise<Answer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let answer: Answer | undefined;
    let written = false;
    const done = (a: Answer): void => {
      socket.destroy();
      resolve(a);
    };
    socket.on('data', (c) => {
      chunks.push(c);
      answer ??= parseReply(Buffer.concat(chunks));
      if (answer && written) done(answer);
    });
    socket.on('error', (err) => done({ status: 0, code: 'reset', detail: `${(err as NodeJS.ErrnoException).code ?? err.message}${answer ? ` after a ${answer.status}` : ''}` }));
    socket.on('close', () => done({ status: 0, code: 'closed', detail: 'closed without a whole reply' }));
    socket.write(bytes, (err) => {
      if (err) return;
      written = true;
      if (answer) done(answer);
    });
  });
}

function parseReply(bytes: Buffer): Answer | undefined {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const head = bytes.subarray(0, end).toString('latin1');
  const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? NaN);
  if (!Number.isInteger(length) || bytes.length < end + 4 + length) return undefined;
  return fromBody(Number(head.split(' ')[1]), bytes.subarray(end + 4, end + 4 + length).toString('utf8'));
}

function fromBody(status: number, text: string, id?: string): Answer {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { status, code: 'not JSON', detail: text.slice(0, 80) };
  }
  const error = (body as { error?: { code?: string; message?: string } }).error;
  if (error) return { status, code: error.code ?? '?', detail: error.message ?? '' };
  const reply = body as { accepted?: string[]; duplicate?: string[]; rejected?: Array<{ id: string; code?: string; reason: string }>; result?: string };
  if (reply.result) return { status, code: reply.result, detail: '' };
  if (id !== undefined && reply.accepted) {
    if (reply.accepted.includes(id)) return { status, code: 'accepted', detail: '' };
    if (reply.duplicate?.includes(id)) return { status, code: 'duplicate', detail: '' };
    const r = reply.rejected?.find((x) => x.id === id);
    if (r) return { status, code: r.code ?? 'rejected', detail: r.reason };
  }
  return { status, code: 'other', detail: text.slice(0, 80) };
}

function nested(levels: number): Record<string, unknown> {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i += 1) value = { a: value };
  return value as Record<string, unknown>;
}

export const registryProbe: ReliabilityProbe = {
  name: 'registry',
  async run({ quick, log }): Promise<ReliabilitySection> {
    const dir = await mkdtemp(join(tmpdir(), 'fieldline-reliability-registry-'));
    const dbFile = join(dir, 'registry.db');
    const token = createToken(dbFile, 'line-a');
    const tokenB = createToken(dbFile, 'line-b');
    const registry = await serveRegistryProcess(dbFile);
    const { url, port } = registry;
    const auth = (t = token): Record<string, string> => ({ authorization: `Bearer ${t}` });
    const json = { 'content-type': 'application/json' };

    const batch = async (records: unknown[], id: string, t = token): Promise<Answer> => {
      const res = await fetch(`${url}/v1/records:batch`, { method: 'POST', headers: { ...json, ...auth(t) }, body: JSON.stringify({ records }) });
      return fromBody(res.status, await res.text(), id);
    };
    const batchText = async (body: string, id: string, headers: Record<string, string> = { ...json, ...auth() }): Promise<Answer> => {
      const res = await fetch(`${url}/v1/records:batch`, { method: 'POST', headers, body });
      return fromBody(res.status, await res.text(), id);
    };
    const put = async (record: RunRecord): Promise<Answer> => {
      const res = await fetch(`${url}/v1/records/${record.id}`, { method: 'PUT', headers: { ...json, ...auth() }, body: JSON.stringify(record) });
      return fromBody(res.status, await res.text());
    };
    const get = async (path: string, t: string | null = token): Promise<Answer> => {
      const res = await fetch(url + path, { headers: t === null ? {} : auth(t) });
      return fromBody(res.status, await res.text());
    };
    const withEvidence = (serial: string, evidence: Record<string, unknown>): RunRecord => {
      const r = registryRunRecord({ serial });
      r.steps[0]!.evidence = evidence;
      return r;
    };
    /** A valid batch of one record, padded to `bytes` in a variable's value. */
    const paddedBatch = (bytes: number): string => {
      const r = registryRunRecord({ serial: 'GW-PAD' });
      const bare = JSON.stringify({ records: [{ ...r, variables: { pad: '' } }] });
      return JSON.stringify({ records: [{ ...r, variables: { pad: 'x'.repeat(bytes - Buffer.byteLength(bare)) } }] });
    };
    const rawPost = (path: string, body: string, headers: string): Buffer =>
      Buffer.concat([Buffer.from(`POST ${path} HTTP/1.1\r\nHost: x\r\n${headers}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`), Buffer.from(body)]);

    const deep32 = withEvidence('GW-R-DEEP-32', nested(RECORD_BOUNDS.jsonDepth));
    const deep2000 = withEvidence('GW-R-DEEP-2000', nested(2000));
    const upper = registryRunRecord({ serial: 'GW-R-CASE' });
    const forged = { ...registryRunRecord({ serial: 'GW-R-FORGED' }), station: { name: 'line-a' } };
    const unicode = registryRunRecord({ serial: 'Ä'.repeat(RECORD_BOUNDS.serialChars) });
    const bodies = quick ? 5 : 20;
    const invalid = { status: 200, code: 'RECORD_INVALID' };

    const cases: Case[] = [
      { input: 'evidence nested 2,000 deep (batch)', expected: invalid, stores: 0, send: () => batch([deep2000], deep2000.id) },
      { input: 'the same, sent again', expected: invalid, stores: 0, send: () => batch([deep2000], deep2000.id) },
      { input: 'the same, PUT /v1/records/{id}', expected: { status: 400, code: 'RECORD_INVALID' }, stores: 0, send: () => put(deep2000) },
      { input: `evidence nested ${RECORD_BOUNDS.jsonDepth} deep`, expected: { status: 200, code: 'accepted' }, stores: 1, send: () => batch([deep32], deep32.id), held: [{ record: deep32, station: 'line-a' }] },
      { input: 'the same, sent again', expected: { status: 200, code: 'duplicate' }, stores: 0, send: () => batch([deep32], deep32.id), held: [{ record: deep32, station: 'line-a' }] },
      { input: 'its id with other content (batch)', expected: { status: 200, code: 'RECORD_CONFLICT' }, stores: 0, send: () => batch([{ ...deep32, outcome: 'cancelled' }], deep32.id) },
      { input: 'its id with other content (PUT)', expected: { status: 409, code: 'RECORD_CONFLICT' }, stores: 0, send: () => put({ ...deep32, outcome: 'cancelled' }) },
      { input: 'run id in upper case', expected: invalid, stores: 0, send: () => batch([{ ...upper, id: upper.id.toUpperCase() }], upper.id.toUpperCase()) },
      { input: 'startedAt "not a date"', expected: invalid, stores: 0, send: () => batch([{ ...upper, startedAt: 'not a date' }], upper.id) },
      { input: 'startedAt 30 February', expected: invalid, stores: 0, send: () => batch([{ ...upper, startedAt: '2026-02-30T10:00:00.000Z' }], upper.id) },
      { input: 'endedAt "yesterday"', expected: invalid, stores: 0, send: () => batch([{ ...upper, endedAt: 'yesterday' }], upper.id) },
      { input: 'serial of 129 characters', expected: invalid, stores: 0, send: () => batch([registryRunRecord({ serial: 'S'.repeat(129) })].map((r) => ({ ...r, id: upper.id })), upper.id) },
      { input: 'null byte in serial', expected: invalid, stores: 0, send: () => batch([{ ...registryRunRecord({ serial: 'GW\u0000X' }), id: upper.id }], upper.id) },
      { input: 'serial of 128 × "Ä"', expected: { status: 200, code: 'accepted' }, stores: 1, send: () => batch([unicode], unicode.id), held: [{ record: unicode, station: 'line-a' }] },
      { input: 'look-up: serial of 200 characters', expected: { status: 400, code: 'BAD_REQUEST' }, stores: 0, send: () => get(`/v1/devices/${'S'.repeat(200)}`) },
      { input: 'look-up: serial of 5,000 characters', expected: { status: 414, code: 'URI_TOO_LONG' }, stores: 0, send: () => get(`/v1/devices/${'S'.repeat(5000)}`) },
      { input: 'look-up: null byte (%00)', expected: { status: 400, code: 'BAD_REQUEST' }, stores: 0, send: () => get('/v1/devices/GW%00X') },
      { input: 'look-up: broken percent-encoding', expected: { status: 400, code: 'BAD_REQUEST' }, stores: 0, send: () => rawRequest(port, Buffer.from(`GET /v1/devices/%E0%A4%A HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n\r\n`)) },
      { input: "station B's token, record naming station A", expected: { status: 200, code: 'accepted' }, stores: 1, send: () => batch([forged], forged.id, tokenB), held: [{ record: forged, station: 'line-b' }] },
      { input: 'huge number (1e400) in evidence', expected: invalid, stores: 0, send: () => batchText(JSON.stringify({ records: [upper] }).replace('"evidence":{', '"evidence":{"n":1e400,'), upper.id) },
      { input: `string of ${RECORD_BOUNDS.stringChars + 1} characters in evidence`, expected: invalid, stores: 0, send: () => batch([withEvidence('GW-R-STR', { s: 'x'.repeat(RECORD_BOUNDS.stringChars + 1) })].map((r) => ({ ...r, id: upper.id })), upper.id) },
      { input: `${RECORD_BOUNDS.objectKeys + 1} keys in one evidence object`, expected: invalid, stores: 0, send: () => batch([{ ...withEvidence('GW-R-KEYS', Object.fromEntries(Array.from({ length: RECORD_BOUNDS.objectKeys + 1 }, (_, i) => [`k${i}`, i]))), id: upper.id }], upper.id) },
      { input: 'record of 1.5 MiB (batch under its limit)', expected: { status: 200, code: 'PAYLOAD_TOO_LARGE' }, stores: 0, send: () => batch([{ ...upper, diagnostics: Array.from({ length: 400 }, (_, i) => ({ ...upper.diagnostics[0]!, name: `d${i}`, detail: 'x'.repeat(4000) })) }], upper.id) },
      { input: '"__proto__" key in the body', expected: { status: 400, code: 'BAD_REQUEST' }, stores: 0, send: () => batchText(JSON.stringify({ records: [upper] }).replace('{"records"', '{"__proto__":{"polluted":true},"records"'), upper.id) },
      { input: '"constructor.prototype" in evidence', expected: { status: 400, code: 'BAD_REQUEST' }, stores: 0, send: () => batchText(JSON.stringify({ records: [upper] }).replace('"evidence":{', '"evidence":{"constructor":{"prototype":{"x":1}},'), upper.id) },
      { input: 'truncated JSON', expected: { status: 400, code: 'BAD_REQUEST' }, stores: 0, send: () => batchText(JSON.stringify({ records: [upper] }).slice(0, 200), upper.id) },
      { input: 'wrong content type (text/plain)', expected: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' }, stores: 0, send: () => batchText(JSON.stringify({ records: [upper] }), upper.id, { 'content-type': 'text/plain', ...auth() }) },
      { input: '10,000-element batch', expected: { status: 413, code: 'PAYLOAD_TOO_LARGE' }, stores: 0, send: () => batchText(JSON.stringify({ records: Array.from({ length: 10_000 }, () => ({})) }), upper.id) },
      { input: 'no token', expected: { status: 401, code: 'UNAUTHORIZED' }, stores: 0, send: () => batchText(JSON.stringify({ records: [upper] }), upper.id, json) },
      { input: 'wrong token', expected: { status: 401, code: 'UNAUTHORIZED' }, stores: 0, send: () => batchText(JSON.stringify({ records: [upper] }), upper.id, { ...json, authorization: `Bearer flt_${'A'.repeat(43)}` }) },
      { input: 'unknown path', expected: { status: 404, code: 'NOT_FOUND' }, stores: 0, send: () => get('/v1/nothing') },
      { input: 'known path, DELETE', expected: { status: 405, code: 'METHOD_NOT_ALLOWED' }, stores: 0, send: async () => fromBody(...(await fetch(`${url}/v1/records:batch`, { method: 'DELETE', headers: auth() }).then(async (r) => [r.status, await r.text()] as const))) },
      { input: '20 KiB of headers', expected: { status: 431, code: 'HEADERS_TOO_LARGE' }, stores: 0, send: () => rawRequest(port, Buffer.from(`GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Pad: ${'p'.repeat(20 * 1024)}\r\n\r\n`)) },
      { input: 'a request line that is not HTTP', expected: { status: 400, code: 'BAD_REQUEST' }, stores: 0, send: () => rawRequest(port, Buffer.from('HELLO THERE\r\n\r\n')) },
      { input: 'bundle nested 200,000 deep', expected: { status: 400, code: 'BUNDLE_INVALID' }, stores: 0, send: async () => {
        const res = await fetch(`${url}/v1/bundles`, { method: 'POST', headers: { ...json, ...auth() }, body: `{"manifest":${'['.repeat(200_000)}${']'.repeat(200_000)}}` });
        return fromBody(res.status, await res.text());
      } },
      {
        input: `${bodies} bodies of 4 MiB + 1…${bodies} bytes, written whole (curl-style)`,
        expected: { status: 413, code: 'PAYLOAD_TOO_LARGE' },
        stores: 0,
        send: async () => {
          const answers: Answer[] = [];
          for (let n = 1; n <= bodies; n += 1) answers.push(await rawRequest(port, rawPost('/v1/records:batch', paddedBatch(LIMITS.batchBytes + n), `Authorization: Bearer ${token}\r\nContent-Type: application/json\r\n`)));
          const good = answers.filter((a) => a.status === 413 && a.code === 'PAYLOAD_TOO_LARGE').length;
          const bad = answers.find((a) => a.status !== 413 || a.code !== 'PAYLOAD_TOO_LARGE');
          return bad ? { ...bad, detail: `${good}/${bodies} got 413; ${bad.detail}` } : { status: 413, code: 'PAYLOAD_TOO_LARGE', detail: `${good}/${bodies} got 413, none reset` };
        },
      },
      {
        input: 'chunked body over the limit',
        expected: { status: 413, code: 'PAYLOAD_TOO_LARGE' },
        stores: 0,
        send: async () => {
          const body = paddedBatch(LIMITS.batchBytes + 4096);
          const stream = new ReadableStream({
            start(controller) {
              for (let i = 0; i < body.length; i += 65536) controller.enqueue(new TextEncoder().encode(body.slice(i, i + 65536)));
              controller.close();
            },
          });
          const res = await fetch(`${url}/v1/records:batch`, { method: 'POST', headers: { ...json, ...auth() }, body: stream, duplex: 'half' } as RequestInit);
          return fromBody(res.status, await res.text());
        },
      },
      {
        input: 'no token, body over the limit, Connection: close',
        expected: { status: 401, code: 'UNAUTHORIZED' },
        stores: 0,
        send: () => rawRequest(port, rawPost('/v1/records:batch', paddedBatch(LIMITS.batchBytes + 10), 'Connection: close\r\nContent-Type: application/json\r\n')),
      },
    ];

    // Stored records are counted through the feed: the registry's own answer about what it holds.
    let cursor = '';
    const newlyStored = async (): Promise<number> => {
      let n = 0;
      for (;;) {
        const res = await fetch(`${url}/v1/records?limit=1000&since=${encodeURIComponent(cursor)}`, { headers: auth() });
        const page = (await res.json()) as { records: unknown[]; nextCursor: string };
        n += page.records.length;
        cursor = page.nextCursor;
        if (page.records.length === 0) return n;
      }
    };
    const retrievable = async ({ record, station }: { record: RunRecord; station: string }): Promise<boolean> => {
      const res = await fetch(`${url}/v1/devices/${encodeURIComponent(record.device.serial)}`, { headers: auth() });
      if (res.status !== 200) return false;
      const runs = ((await res.json()) as { runs: Array<RunRecord & { receivedFrom: string }> }).runs;
      const held = runs.find((r) => r.id === record.id);
      if (!held) return false;
      const { receivedAt: _at, receivedFrom, ...content } = held as RunRecord & { receivedAt: string; receivedFrom: string };
      return receivedFrom === station && JSON.stringify(sortKeys(content)) === JSON.stringify(sortKeys({ ...JSON.parse(JSON.stringify(record)), station: { name: station } }));
    };

    const rows: string[][] = [];
    let failures = 0;
    try {
      await newlyStored();
      for (const c of cases) {
        let answer: Answer;
        try {
          answer = await c.send();
        } catch (err) {
          answer = { status: 0, code: 'error', detail: (err as Error).message };
        }
        const stored = await newlyStored();
        const lost: string[] = [];
        if (answer.code === 'accepted' || answer.code === 'duplicate') {
          for (const h of c.held ?? []) if (!(await retrievable(h))) lost.push(h.record.id.slice(0, 8));
        }
        const alive = registry.child.exitCode === null;
        const ok = answer.status === c.expected.status && answer.code === c.expected.code && stored === c.stores && lost.length === 0 && alive;
        if (!ok) failures += 1;
        log(`${ok ? 'ok  ' : 'FAIL'} ${c.input}: ${answer.status} ${answer.code}`);
        rows.push([
          c.input,
          `${c.expected.status} ${c.expected.code}`,
          `${answer.status} ${answer.code}`,
          `${stored} (expected ${c.stores})`,
          lost.length > 0 ? `**yes** (${lost.join(', ')})` : alive ? 'no' : '**registry died**',
          ok ? answer.detail.slice(0, 120) : `**FAIL** ${answer.detail.slice(0, 120)}`,
        ]);
      }
    } finally {
      await registry.stop();
      await rm(dir, { recursive: true, force: true });
    }

    return {
      title: 'Registry: bad input',
      summary:
        'Each hostile input sent to a real registry (`fieldline registry serve`, its own process, on loopback): the ' +
        'expected and actual answer — HTTP status, and the error code or, for a batch, the record’s verdict ' +
        '(`accepted`, `duplicate`, `RECORD_INVALID`, `RECORD_CONFLICT`, `PAYLOAD_TOO_LARGE`) — and how many records ' +
        'it stored, counted through `GET /v1/records` after each row. **Lost** means a record answered accepted or ' +
        'duplicate that `GET /v1/devices/{serial}` does not return as sent (with the token’s station). A row fails ' +
        'on another answer, another count, a lost record or a dead registry.',
      columns: ['input', 'expected', 'actual', 'stored', 'lost', 'detail'],
      rows,
      failures,
    };
  },
};

/** JSON with every object's keys in order, to compare a record with what the registry returns (canonical JSON). */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
}
