/**
 * The station the end-to-end specs (and the UI benchmark) drive, run as a child process with tsx's loader — the
 * same way `npx fieldline` runs — so virtual gateways, socat and the registry live and die with it, not with the
 * Playwright worker:
 *
 *   node --import tsx e2e/support/demo-station.ts [--no-server]
 *
 * It starts exactly what `fieldline station --demo --port 0` starts (startDemo + createApp with the demo's options +
 * startStationServer on a free loopback port), prints one JSON line `{"ready": {...}}` when the server listens, and
 * then obeys one JSON command per stdin line, answering `{"reply": cmd, "ok": true}` (or `"error"`):
 *   {"cmd":"registry-stop"}   the demo registry stops listening (the station goes offline, the queue grows)
 *   {"cmd":"registry-start"}  it comes back on the same port and database (the queue drains)
 * The CLI has no such switch, which is why this file exists instead of spawning `fieldline station --demo`.
 * With --no-server only the demo (gateways, registry, data directory with a CA) is started: the desktop app under
 * Playwright's `_electron` opens that data directory itself. Stops on stdin EOF (the parent went away), SIGTERM or
 * SIGINT, removing every temporary folder.
 */
import { createInterface } from 'node:readline';
import { createApp } from '../../main/app';
import { ensureRendererBuilt } from '../../main/cli/renderer-build';
import { DEMO_STATION, startDemo } from '../../main/cli/station-demo';
import { createLogger } from '../../main/log';
import { startStationServer } from '../../main/server/station-server';

export interface DemoStationReady {
  /** http://127.0.0.1:<port>/ — absent with --no-server. */
  url?: string;
  dataDir: string;
  caPassphrase: string;
  gateways: Array<{ serial: string; port: string }>;
  registryUrl: string;
}

export type DemoStationCommand = 'registry-stop' | 'registry-start';

const write = (message: unknown): void => void process.stdout.write(JSON.stringify(message) + '\n');

async function main(): Promise<void> {
  const withServer = !process.argv.includes('--no-server');
  const logger = createLogger('e2e-station', (r) => process.stderr.write(`${r.level} ${r.scope}: ${r.message}${r.fields ? ' ' + JSON.stringify(r.fields) : ''}\n`), 'warn');
  const cleanups: Array<() => Promise<void>> = [];
  let stopping: Promise<void> | undefined;
  const stop = (code: number): Promise<void> =>
    (stopping ??= (async () => {
      for (const cleanup of cleanups) await cleanup().catch(() => {});
      process.exit(code);
    })());
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void stop(0));

  try {
    const staticDir = withServer ? await ensureRendererBuilt((line) => process.stderr.write(`${line}\n`)) : undefined;
    const demo = await startDemo(logger);
    cleanups.unshift(demo.stop);
    let url: string | undefined;
    if (staticDir) {
      // The same options as `fieldline station --demo` (main/cli/station.ts).
      const app = await createApp({
        dataDir: demo.dataDir,
        logger,
        extraPorts: demo.gateways.map((g) => g.port),
        caPassphrase: demo.caPassphrase,
        stationName: DEMO_STATION,
        sync: { backoff: { capMs: 5000 }, pollMs: 2000 },
      });
      cleanups.unshift(() => app.close());
      const server = await startStationServer({ app, port: 0, host: '127.0.0.1', staticDir, logger });
      cleanups.unshift(() => server.close());
      url = server.url;
    }
    const ready: DemoStationReady = {
      ...(url ? { url } : {}),
      dataDir: demo.dataDir,
      caPassphrase: demo.caPassphrase,
      gateways: demo.gateways,
      registryUrl: demo.registryUrl,
    };
    write({ ready });

    const lines = createInterface({ input: process.stdin });
    lines.on('line', (line) => {
      let cmd: unknown;
      try {
        cmd = (JSON.parse(line) as { cmd?: unknown }).cmd;
      } catch {
        cmd = undefined;
      }
      const action = cmd === 'registry-stop' ? demo.registry.stop : cmd === 'registry-start' ? demo.registry.start : undefined;
      if (!action) return write({ reply: cmd ?? null, error: `unknown command: ${line}` });
      action().then(
        () => write({ reply: cmd, ok: true }),
        (err: unknown) => write({ reply: cmd, error: err instanceof Error ? err.message : String(err) }),
      );
    });
    lines.on('close', () => void stop(0));
  } catch (err) {
    process.stderr.write(`demo station failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    await stop(1);
  }
}

await main();
