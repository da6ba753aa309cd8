/**
 * The report's WebSocket abuse table (`--only websocket`): what one client can do to a real `fieldline station`
 * process on loopback — hostile profile imports (issue #11's three and their relatives), oversized frames, malformed
 * JSON, unknown methods, deeply nested arguments, floods of calls, wrong and missing tokens, foreign origins. Each
 * row: the expected and the actual answer, the time to answer, the station's peak RSS after it (VmHWM, the
 * kernel's count, worker threads included), and whether profiles:list still answers afterwards. About 40 s.
 */
import { WebSocket } from 'ws';
import { LIMITS } from '../../main/contract/bounds';
import { HOSTILE } from '../../main/testing/hostile-profiles';
import { startStationProcess, type StationProcess } from '../../main/testing/station-process';
import type { ReliabilityProbe, ReliabilitySection } from './section';

const TOKEN = 'reliability-websocket-token-0123456789';
/** Peak memory the station may reach, whatever a client does (issue #11). */
const PEAK_MB = 300;
/** Time a refused import may take to answer (issue #11). */
const ANSWER_MS = 2000;
/** Longest a raw session waits for what it expects before it reports "no answer". */
const SESSION_MS = 30_000;

interface Reply {
  type: string;
  id?: number;
  ok?: boolean;
  result?: { ok: boolean; value?: unknown; error?: { code: string; message: string } };
}

interface Session {
  replies: Reply[];
  /** How the connection ended, if the station ended it. */
  close?: { code: number; reason: string };
  /** The HTTP status of a refused upgrade. */
  refused?: number;
  ms: number;
  timedOut: boolean;
}

/**
 * One raw connection: `send` is called once it is open, and the session ends when `done` says so, the station
 * closes the socket or refuses the upgrade — or after SESSION_MS, which is reported, never waited out silently.
 */
function rawSession(
  station: StationProcess,
  send: (ws: WebSocket) => void,
  done: (replies: Reply[]) => boolean,
  origin = station.origin,
): Promise<Session> {
  return new Promise((resolve) => {
    const started = performance.now();
    const replies: Reply[] = [];
    const ws = new WebSocket(station.wsUrl, origin === '' ? {} : { origin });
    let finished = false;
    const finish = (extra: Partial<Session>): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => {});
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.terminate();
      resolve({ replies, ms: performance.now() - started, timedOut: false, ...extra });
    };
    const timer = setTimeout(() => finish({ timedOut: true }), SESSION_MS);
    ws.on('unexpected-response', (_req, res) => finish({ refused: res.statusCode ?? 0 }));
    ws.on('open', () => send(ws));
    ws.on('message', (data) => {
      replies.push(JSON.parse(data.toString()) as Reply);
      if (done(replies)) finish({});
    });
    ws.on('close', (code, reason) => finish({ close: { code, reason: reason.toString() } }));
    ws.on('error', () => {});
  });
}

const call = (id: number, method: string, ...args: unknown[]): string => JSON.stringify({ type: 'call', id, method, args });
const results = (replies: Reply[]): Reply[] => replies.filter((r) => r.type === 'result');
const answered = (n: number) => (replies: Reply[]): boolean => results(replies).length >= n;

/** What one result says: "ok" or its error code. */
function outcomeOf(reply: Reply | undefined): string {
  if (!reply?.result) return 'no answer';
  return reply.result.ok ? 'ok' : (reply.result.error?.code ?? '?');
}

function describeSession(s: Session): string {
  if (s.refused !== undefined) return `upgrade refused: HTTP ${s.refused}`;
  if (s.timedOut) return `no answer in ${SESSION_MS / 1000} s`;
  const codes = new Map<string, number>();
  for (const r of results(s.replies)) codes.set(outcomeOf(r), (codes.get(outcomeOf(r)) ?? 0) + 1);
  const counted = [...codes].map(([code, n]) => (n === 1 ? code : `${code} ×${n}`)).join(', ');
  const auth = s.replies.find((r) => r.type === 'auth');
  const parts = [auth ? `auth ok: ${auth.ok}` : '', counted, s.close ? `closed ${s.close.code} ${s.close.reason}`.trim() : ''];
  return parts.filter(Boolean).join('; ') || 'nothing';
}

interface Case {
  call: string;
  expected: string;
  run(station: StationProcess): Promise<{ actual: string; ms: number; ok: boolean }>;
}

/** One profiles:import over the renderer's own bridge: its answer and the time it took. */
function importCase(name: string, content: string, expectedCode: string | 'saved', within = ANSWER_MS): Case {
  return {
    call: `profiles:import ${name}`,
    expected: expectedCode === 'saved' ? 'saved, with the problem listed' : `${expectedCode} within ${within / 1000} s`,
    async run(station) {
      const api = station.bridge().api;
      const started = performance.now();
      const result = await api.invoke['profiles:import']({ fileName: 'hostile.yaml', content, replace: true });
      const ms = performance.now() - started;
      if (expectedCode === 'saved') {
        const problems = result.ok ? result.value.problems : -1;
        const actual = result.ok
          ? `saved, ${problems} problem(s): ${result.value.problemList[0]?.message ?? ''}`
          : `${result.error.code}: ${result.error.message}`;
        return { actual, ms, ok: result.ok && problems > 0 };
      }
      return {
        actual: result.ok ? `saved (${result.value.problems} problems)` : `${result.error.code}: ${result.error.message}`,
        ms,
        ok: !result.ok && result.error.code === expectedCode && ms < within,
      };
    },
  };
}

/** A raw session's case: `check` decides from the session whether the station answered as it should. */
function rawCase(
  callText: string,
  expected: string,
  send: (ws: WebSocket) => void,
  done: (r: Reply[]) => boolean,
  check: (s: Session) => boolean,
  origin?: string,
): Case {
  return {
    call: callText,
    expected,
    async run(station) {
      const session = await rawSession(station, send, done, origin);
      return { actual: describeSession(session), ms: session.ms, ok: !session.timedOut && check(session) };
    },
  };
}

/** `[[[…]]]` `depth` deep, as JSON text, built without recursion. */
const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

const OPEN_CASES: Case[] = [
  importCase('of a profile whose firmware.image is /dev/zero', HOSTILE.devZeroImage(), 'FILE_NOT_REGULAR'),
  importCase('of 70,000 keys (957 KiB)', HOSTILE.manyKeys(), 'PROFILE_TOO_COMPLEX'),
  importCase('of a billion laughs', HOSTILE.billionLaughs(), 'PROFILE_TOO_COMPLEX'),
  importCase('of 150 aliases', HOSTILE.manyAliases(), 'PROFILE_TOO_COMPLEX'),
  importCase('of 200,000 nested lists', HOSTILE.deepNesting(), 'PROFILE_TOO_COMPLEX'),
  importCase('of a pattern that backtracks, (a+)+$', HOSTILE.catastrophicRegex(), 'saved'),
  rawCase(
    'profiles:import of 1 MiB + 1 character',
    'INVALID_ARGUMENT (the contract bounds it)',
    (ws) => ws.send(call(1, 'profiles:import', { fileName: 'big.yaml', content: 'x'.repeat(LIMITS.profileChars + 1) })),
    answered(1),
    (s) => outcomeOf(results(s.replies)[0]) === 'INVALID_ARGUMENT',
  ),
  rawCase(
    'a 5 MiB frame',
    'connection closed 1009 (over the 4 MiB limit)',
    (ws) => ws.send('x'.repeat(5 * 1024 * 1024)),
    () => false,
    (s) => s.close?.code === 1009,
  ),
  rawCase('malformed JSON', 'connection closed 1008', (ws) => ws.send('{"type":"call",'), () => false, (s) => s.close?.code === 1008),
  rawCase(
    'an unknown method',
    'INVALID_ARGUMENT',
    (ws) => ws.send(call(1, 'profiles:delete-everything')),
    answered(1),
    (s) => outcomeOf(results(s.replies)[0]) === 'INVALID_ARGUMENT',
  ),
  rawCase(
    'arguments nested 1,000,000 deep (2 MB of JSON)',
    'connection closed 1008, before parsing',
    (ws) => ws.send(`{"type":"call","id":1,"method":"profiles:get","args":[${nested(1_000_000)}]}`),
    answered(1),
    (s) => s.close?.code === 1008,
  ),
  rawCase(
    'a flood: 1,000 profiles:list calls at once',
    'each answered: ok, or INVALID_ARGUMENT past 32 in flight',
    (ws) => {
      for (let i = 1; i <= 1000; i++) ws.send(call(i, 'profiles:list'));
    },
    answered(1000),
    (s) => results(s.replies).length === 1000 && results(s.replies).every((r) => ['ok', 'INVALID_ARGUMENT'].includes(outcomeOf(r))),
  ),
  rawCase(
    'a flood: 200 billion-laugh imports at once',
    'each answered: PROFILE_TOO_COMPLEX, or INVALID_ARGUMENT past 32 in flight',
    (ws) => {
      for (let i = 1; i <= 200; i++) ws.send(call(i, 'profiles:import', { fileName: `laughs-${i}.yaml`, content: HOSTILE.billionLaughs() }));
    },
    answered(200),
    (s) =>
      results(s.replies).length === 200 &&
      results(s.replies).every((r) => ['PROFILE_TOO_COMPLEX', 'INVALID_ARGUMENT', 'PROFILE_LOADER_BUSY'].includes(outcomeOf(r))),
  ),
  rawCase('an upgrade from a foreign Origin', 'HTTP 403', () => {}, () => true, (s) => s.refused === 403, 'http://evil.example'),
  rawCase('an upgrade with no Origin', 'HTTP 403', () => {}, () => true, (s) => s.refused === 403, ''),
];

const TOKEN_CASES: Case[] = [
  rawCase(
    'a call without the token',
    'connection closed 4401',
    (ws) => ws.send(call(1, 'profiles:list')),
    answered(1),
    (s) => s.close?.code === 4401 && results(s.replies).length === 0,
  ),
  rawCase(
    'a wrong token',
    'auth refused, connection closed 4401',
    (ws) => ws.send(JSON.stringify({ type: 'auth', token: 'not-the-token' })),
    () => false,
    (s) => s.close?.code === 4401 && s.replies.some((r) => r.type === 'auth' && r.ok === false),
  ),
  rawCase(
    'the right token, then profiles:list',
    'auth ok, then ok',
    (ws) => {
      ws.send(JSON.stringify({ type: 'auth', token: TOKEN }));
      ws.send(call(1, 'profiles:list'));
    },
    answered(1),
    (s) => s.replies.some((r) => r.type === 'auth' && r.ok === true) && outcomeOf(results(s.replies)[0]) === 'ok',
  ),
];

/** Does profiles:list still answer (with a fresh connection, authenticated when the station has a token)? */
async function listAnswers(station: StationProcess, token?: string): Promise<boolean> {
  const result = await station.bridge(token === undefined ? {} : { token }).api.invoke['profiles:list']();
  return result.ok && result.value.length >= 2;
}

async function runCases(station: StationProcess, cases: Case[], label: string, log: (line: string) => void, token?: string): Promise<string[][]> {
  const rows: string[][] = [];
  for (const c of cases) {
    const { actual, ms, ok } = await c.run(station);
    const peak = (await station.memory())?.peakKb;
    const peakMb = peak === undefined ? undefined : peak / 1024;
    const listOk = await listAnswers(station, token);
    const pass = ok && listOk && (peakMb === undefined || peakMb < PEAK_MB);
    log(`${label}: ${c.call}: ${actual.slice(0, 120)} (${ms.toFixed(0)} ms)`);
    const peakText = peakMb === undefined ? 'n/a' : peakMb.toFixed(0);
    rows.push([label, c.call, c.expected, actual, ms.toFixed(0), peakText, listOk ? 'yes' : 'NO', pass ? 'ok' : '**FAIL**']);
  }
  return rows;
}

export const websocketProbe: ReliabilityProbe = {
  name: 'websocket',
  async run({ log }): Promise<ReliabilitySection> {
    const rows: string[][] = [];
    let baseline = '';
    for (const [label, cases, token] of [
      ['no token (loopback)', OPEN_CASES, undefined],
      ['with a token', TOKEN_CASES, TOKEN],
    ] as const) {
      const station = await startStationProcess(token === undefined ? {} : { token });
      try {
        // Up and listing before the first hostile call: the peak figures are the calls', not the start's.
        await listAnswers(station, token);
        const start = await station.memory();
        if (start) baseline += `${baseline ? ', ' : ''}${label}: ${(start.rssKb / 1024).toFixed(0)} MB`;
        rows.push(...(await runCases(station, cases, label, log, token)));
      } finally {
        await station.stop();
      }
    }
    return {
      title: 'Station WebSocket abuse',
      summary:
        'One client against a real `fieldline station` process on loopback (main/testing/station-process.ts), over raw WebSocket ' +
        "connections and the renderer's own bridge. Issue #11's imports first — each must be refused within 2 s — then malformed " +
        'and oversized traffic, floods, and the doors a token and the Origin check keep shut. "peak RSS" is the station\'s VmHWM ' +
        `after the row (worker threads included; it must stay under ${PEAK_MB} MB); "list after" is a fresh connection's profiles:list. ` +
        `The stations' RSS once up and listing: ${baseline || 'not measured (no /proc)'}.`,
      columns: ['station', 'call', 'expected', 'actual', 'answer (ms)', 'peak RSS (MB)', 'list after', 'outcome'],
      rows,
      failures: rows.filter((r) => r.at(-1) !== 'ok').length,
    };
  },
};
