/**
 * The report's station-secrets rows (`--only secrets`): what an attacker on the network or a clumsy user gets of the
 * station's secrets. The registry token after a URL change (the real `fieldline sync --once` against a loopback
 * listener that records headers), the bundle-signing key at rest, the station token in `fieldline station`'s argv and
 * output, the single-use login ticket, and token guessing against a station server (200 wrong tries from one
 * address, then the right token from another). About 15 s.
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { createAppEvents } from '../../main/core/events';
import { startStationServer } from '../../main/server/station-server';
import { openStore } from '../../main/store/store';
import { keyIdOf } from '../../main/shared/bundle-format';
import { loadStationKey } from '../../main/sync/station-key';
import { REGISTRY_CONFIG_FILE } from '../../main/sync/registry-config';
import { createTestApp } from '../../main/testing/app';
import { lastJsonLine, REPO_ROOT, runFieldline } from '../../main/testing/cli';
import { startFaultRegistry } from '../../main/testing/fault-registry';
import { stubHandlers } from '../../main/testing/handlers';
import { registryRunRecord } from '../../main/testing/registry';
import type { ReliabilityProbe, ReliabilitySection } from './section';

const TOKEN = 'reliability-station-token-0123456789';
const GUESSES = 200;

interface Row {
  cells: string[];
  failed: boolean;
}

const row = (what: string, how: string, found: string, ok: boolean): Row => ({ cells: [what, how, found, ok ? 'ok' : '**FAIL**'], failed: !ok });

async function registryTokenRow(): Promise<Row> {
  const first = await startFaultRegistry();
  const second = await startFaultRegistry();
  const { app, dataDir, close } = await createTestApp({ withCa: false });
  try {
    await app.handlers['settings:set-registry']({ url: first.url, token: TOKEN });
    // Settings refuses a new URL without its token (it tests a registry before saving it); a registry.json pointed
    // elsewhere by hand is the remaining way a URL can change under a stored token.
    const refused = await Promise.resolve()
      .then(() => app.handlers['settings:set-registry']({ url: second.url }))
      .then(
        () => 'saved',
        (err: unknown) => (err as { code?: string }).code ?? 'error',
      );
    writeFileSync(join(dataDir, REGISTRY_CONFIG_FILE), JSON.stringify({ url: second.url }) + '\n');
    const store = openStore(dataDir);
    store.saveRun(registryRunRecord({ outcome: 'passed' }));
    store.close();
    const sync = await runFieldline(['sync', '--once', '--json', '--data-dir', dataDir], {}, 60_000);
    const sent = second.requests.filter((r) => r.authorization !== undefined).length;
    const code = (lastJsonLine(sync.stdout)['error'] as { code?: string } | undefined)?.code ?? 'none';
    return row(
      'registry token after a URL change',
      'settings:set-registry {url: other origin} without a token; registry.json pointed there by hand, then fieldline sync --once',
      `Settings: ${refused}; ${second.requests.length} request(s) to the new URL, ${sent} with Authorization; exit ${sync.code}, ${code}`,
      refused === 'REGISTRY_TOKEN_NEEDED' && sent === 0 && sync.code !== 0 && code === 'REGISTRY_TOKEN_NEEDED',
    );
  } finally {
    await close();
    await first.close();
    await second.close();
  }
}

/** Files under `dir` that hold a PEM private key. */
function plain(dir: string): number {
  let n = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && readFileSync(join(entry.parentPath, entry.name)).includes('PRIVATE KEY')) n += 1;
  }
  return n;
}

async function stationKeyRows(work: string): Promise<Row[]> {
  const keyDir = join(work, 'machine-keys');
  const fresh = join(work, 'fresh');
  loadStationKey(fresh, { keyDir });
  const legacy = join(work, 'legacy');
  await mkdir(legacy);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  await writeFile(join(legacy, 'station-key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const migrated = loadStationKey(legacy, { keyDir });
  const before = keyIdOf(publicKey.export({ type: 'spki', format: 'der' }).toString('base64'));
  return [
    row('station key at rest', 'first use in an empty data directory', `${plain(fresh)} file(s) holding "PRIVATE KEY"`, plain(fresh) === 0),
    row(
      'station key of an older version',
      'plaintext station-key.pem, then first use',
      `key id ${before} → ${migrated.keyId}; ${plain(legacy)} plaintext file(s) left`,
      migrated.keyId === before && plain(legacy) === 0,
    ),
  ];
}

async function stationCliRow(work: string): Promise<Row> {
  const args = ['bin/fieldline.js', 'station', '--port', '0', '--json', '--data-dir', join(work, 'station')];
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, FIELDLINE_STATION_TOKEN: TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (t: string) => {
        out += t;
        const json = out.split('\n').find((l) => l.startsWith('{'));
        if (json) resolve(json);
      });
      child.once('close', (code) => reject(new Error(`fieldline station exited (${code})`)));
    });
    const argv = process.platform === 'linux' ? readFileSync(`/proc/${child.pid}/cmdline`, 'utf8') : '';
    const inOutput = line.includes(TOKEN);
    const inArgv = argv.includes(TOKEN);
    return row(
      'station token',
      'FIELDLINE_STATION_TOKEN=… fieldline station --json',
      [
        `in the --json line: ${inOutput ? 'yes' : 'no'}`,
        `in argv (/proc/PID/cmdline): ${process.platform === 'linux' ? (inArgv ? 'yes' : 'no') : 'not checked'}`,
        `openUrl ${line.includes('#ticket=') ? 'has a ticket' : 'has no ticket'}`,
      ].join('; '),
      !inOutput && !inArgv && line.includes('#ticket='),
    );
  } finally {
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    child.kill('SIGTERM');
    await closed;
  }
}

/** One WebSocket authentication: the upgrade's refusal status, or the close code after the auth message. */
function attempt(port: number, auth: Record<string, string>, localAddress: string): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, { origin: `http://127.0.0.1:${port}`, localAddress });
    ws.on('unexpected-response', (_req, res) => {
      resolve(`HTTP ${res.statusCode ?? 0}`);
      ws.terminate();
    });
    ws.on('open', () => ws.send(JSON.stringify({ type: 'auth', ...auth })));
    ws.on('message', (data) => {
      if (String(data).includes('"ok":true')) {
        resolve('in');
        ws.close();
      }
    });
    ws.on('close', (code) => resolve(`close ${code}`));
    ws.on('error', () => {});
  });
}

async function serverRows(work: string): Promise<Row[]> {
  await mkdir(join(work, 'static'));
  await writeFile(join(work, 'static', 'index.html'), '<!doctype html>');
  let now = Date.now();
  const server = await startStationServer({
    app: { handlers: stubHandlers({}), events: createAppEvents() },
    port: 0,
    staticDir: join(work, 'static'),
    token: TOKEN,
    auth: { now: () => now },
  });
  try {
    const ticket = new URL(server.loginUrl()).hash.replace('#ticket=', '');
    const uses = [await attempt(server.port, { ticket }, '127.0.0.2'), await attempt(server.port, { ticket }, '127.0.0.3')];
    const late = new URL(server.loginUrl()).hash.replace('#ticket=', '');
    now += 60_000;
    const expired = await attempt(server.port, { ticket: late }, '127.0.0.4');

    const counts = new Map<string, number>();
    const started = performance.now();
    for (let i = 0; i < GUESSES; i += 1) {
      const answer = await attempt(server.port, { token: `guess-${i}` }, '127.0.0.66');
      counts.set(answer, (counts.get(answer) ?? 0) + 1);
    }
    const seconds = (performance.now() - started) / 1000;
    const rightStarted = performance.now();
    const right = await attempt(server.port, { token: TOKEN }, '127.0.0.7');
    const rightMs = performance.now() - rightStarted;
    const checked = counts.get('close 4401') ?? 0;
    const answers = [...counts].map(([k, v]) => `${k}: ${v}`).join(', ');
    return [
      row(
        'login ticket',
        'the printed #ticket= used twice, and one used after 60 s',
        `first use: ${uses[0]}; second: ${uses[1]}; after 60 s: ${expired}`,
        uses[0] === 'in' && uses[1] === 'close 4401' && expired === 'close 4401',
      ),
      row(
        'token guessing',
        `${GUESSES} wrong tokens from one address, back to back (clock frozen)`,
        `${checked} checked, ${GUESSES - checked} refused unchecked (${answers}) in ${seconds.toFixed(2)} s`,
        checked <= 5,
      ),
      row('right token elsewhere', 'the right token from another address, during the lockout', `${right} after ${rightMs.toFixed(0)} ms`, right === 'in'),
    ];
  } finally {
    await server.close();
  }
}

export const stationSecretsProbe: ReliabilityProbe = {
  name: 'secrets',
  async run({ log }): Promise<ReliabilitySection> {
    const work = await mkdtemp(join(tmpdir(), 'fieldline-reliability-secrets-'));
    try {
      log('registry token after a URL change');
      const rows = [await registryTokenRow()];
      log('station key at rest');
      rows.push(...(await stationKeyRows(work)));
      log('fieldline station with a token');
      rows.push(await stationCliRow(work));
      log('tickets and guessing');
      rows.push(...(await serverRows(work)));
      return {
        title: 'Station secrets',
        summary:
          'The registry token after its URL changed (the real `fieldline sync --once` against a loopback listener that records ' +
          'request headers), the bundle-signing key at rest (sealed under a machine key kept apart from the data directory), ' +
          "the station token in `fieldline station`'s argv and output, the single-use login ticket, and token guessing " +
          'against a station server: failures count per address, 5 are checked, then the address is refused unchecked for 1 s ' +
          'doubling to 60 s (the clock is frozen here, so the whole run is inside the first lockout).',
        columns: ['secret', 'probe', 'found', 'outcome'],
        rows: rows.map((r) => r.cells),
        failures: rows.filter((r) => r.failed).length,
      };
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  },
};
