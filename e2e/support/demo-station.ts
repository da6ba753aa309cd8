/**
 * The station the end-to-end specs (and the UI benchmark) drive, run as a child process with tsx's loader — the
 * same way `npx fieldline` runs — so virtual gateways, socat and the registry live and die with it, not with the
 * Playwright worker:
 *
 *   node --import tsx e2e/support/demo-station.ts [--no-server] [--ble N]
 *
 * It starts exactly what `fieldline station --demo --port 0` starts (startDemo + createApp with the demo's options +
 * startStationServer on a free loopback port), prints one JSON line `{"ready": {...}}` when the server listens, and
 * then obeys one JSON command per stdin line, answering `{"reply": cmd, "ok": true}` (or `"error"`):
 *   {"cmd":"registry-stop"}   the demo registry stops listening (the station goes offline, the queue grows)
 *   {"cmd":"registry-start"}  it comes back on the same port and database (the queue drains)
 *   {"cmd":"plug","count":N,"serialBase":"<16 hex>"}  N more virtual gateways appear in the demo's ports directory,
 *                             which the app's line watches (answered with `"gateways": [{serial, port}]`)
 * The CLI has no such switch, which is why this file exists instead of spawning `fieldline station --demo`.
 * With --ble N it also spawns `fieldline sim --ble --count N` on a socket of its own and gives the app
 * FIELDLINE_BLE_ADAPTER=virtual and FIELDLINE_BLE_SOCKET, as a station with virtual Bluetooth gateways is run; the
 * ready line then carries `ble: {socketPath, gateways: [{serial, name, address}]}`.
 * With --no-server only the demo (gateways, registry, data directory with a CA) is started: the desktop app under
 * Playwright's `_electron` opens that data directory itself. Stops on stdin EOF (the parent went away), SIGTERM or
 * SIGINT, removing every temporary folder.
 * With FIELDLINE_E2E_OPERATORS (a JSON list of {name, role, secret}, the first an admin) the data directory is claimed
 * by those operators before the app opens it, as `fieldline operator add` would (issue #14).
 */
import { createInterface } from 'node:readline';
import { createApp } from '../../main/app';
import { ensureRendererBuilt } from '../../main/cli/renderer-build';
import { DEMO_STATION, startDemo } from '../../main/cli/station-demo';
import { createLogger } from '../../main/log';
import { startStationServer } from '../../main/server/station-server';
import { seedOperators, type SeedOperator } from '../../main/testing/operators';
import { spawnSimulator } from '../../main/testing/sim-process';
import { BLE_ADAPTER_ENV, BLE_SOCKET_ENV } from '../../main/transport/ble/adapter-choice';

export interface DemoStationReady {
  /** http://127.0.0.1:<port>/ — absent with --no-server. */
  url?: string;
  dataDir: string;
  caPassphrase: string;
  gateways: Array<{ serial: string; port: string }>;
  registryUrl: string;
  /** The demo's ports directory, which the line watches (the desktop app gets it as FIELDLINE_PORTS_DIR). */
  portsDir: string;
  /** With --ble N: the virtual BLE gateways and their socket (the desktop app gets it as FIELDLINE_BLE_SOCKET). */
  ble?: { socketPath: string; gateways: Array<{ serial: string; name: string; address: string }> };
}

export type DemoStationCommand = 'registry-stop' | 'registry-start' | 'plug';

const write = (message: unknown): void => void process.stdout.write(JSON.stringify(message) + '\n');

async function main(): Promise<void> {
  const withServer = !process.argv.includes('--no-server');
  const bleAt = process.argv.indexOf('--ble');
  const bleCount = bleAt >= 0 ? Number(process.argv[bleAt + 1]) : 0;
  if (!Number.isInteger(bleCount) || bleCount < 0 || bleCount > 16) throw new Error(`--ble takes a count of 0-16, not ${process.argv[bleAt + 1]}`);
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
    const operators = process.env['FIELDLINE_E2E_OPERATORS'];
    if (operators) await seedOperators(demo.dataDir, JSON.parse(operators) as SeedOperator[]);
    let ble: DemoStationReady['ble'];
    if (bleCount > 0) {
      // A process of its own, as a real radio would be; its socket is fresh, so parallel stations never share one.
      const sim = await spawnSimulator({ count: bleCount, ble: {} });
      cleanups.unshift(async () => void (await sim.stop()));
      const socketPath = sim.socketPath ?? '';
      process.env[BLE_ADAPTER_ENV] = 'virtual';
      process.env[BLE_SOCKET_ENV] = socketPath;
      ble = { socketPath, gateways: sim.gateways.map((g) => ({ serial: g.serial, name: g.name ?? '', address: g.address ?? g.port })) };
    }
    let url: string | undefined;
    if (staticDir) {
      // The same options as `fieldline station --demo` (main/cli/station.ts).
      const app = await createApp({
        dataDir: demo.dataDir,
        logger,
        extraPorts: demo.gateways.map((g) => g.port),
        devicesPortsDir: demo.portsDir,
        caPassphrase: demo.caPassphrase,
        stationName: DEMO_STATION,
        sync: { backoff: { capMs: 5000 }, pollMs: 2000 },
        // The line watches the demo's own ports directory only: no USB port of this machine joins a test.
        line: { portsDir: demo.portsDir, usb: false, pollMs: 200 },
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
      portsDir: demo.portsDir,
      ...(ble ? { ble } : {}),
    };
    write({ ready });

    const lines = createInterface({ input: process.stdin });
    lines.on('line', (line) => {
      let cmd: unknown;
      let message: { cmd?: unknown; count?: unknown; serialBase?: unknown } = {};
      try {
        message = JSON.parse(line) as typeof message;
        cmd = message.cmd;
      } catch {
        cmd = undefined;
      }
      if (cmd === 'plug') {
        const count = typeof message.count === 'number' ? message.count : 1;
        const serialBase = typeof message.serialBase === 'string' ? message.serialBase : 'F1E1D00000000101';
        demo.plug(count, serialBase).then(
          (gateways) => write({ reply: cmd, ok: true, gateways }),
          (err: unknown) => write({ reply: cmd, error: err instanceof Error ? err.message : String(err) }),
        );
        return;
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
