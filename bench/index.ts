/**
 * `npm run bench`: each entry prints its figures and the ratios measured side by side in one run.
 * Entries, in order: upload (SMP uploads through a virtual gateway), queue (the registry outbox), ui (the renderer
 * in Chromium under 256 devices' progress events; --quick: 10 s instead of 30), scale (1, 8, 32, 64 virtual gateways
 * provisioned at once; --quick: 1, 8, 16), ble (image upload over virtual BLE at MTU 247 and 498, with and without
 * device reassembly; --quick: 64 KiB instead of 256 KiB), cli (`fieldline` startup: --version, --help, smp echo,
 * through bin and npx, against `node -e 0`; --quick: 5 runs each instead of 15), pkcs11 (a device certificate issued
 * with the CA key in the sealed file vs in a SoftHSM2 token; --quick: 100 issues each instead of 300), fleet (16 station
 * processes draining 10,000 records each into one registry on PostgreSQL and on SQLite, and a registry process killed
 * half-way; --quick: 1,000 records each).
 * Options: --only NAME[,NAME] (e.g. `npm run bench -- --only queue`), --quick (upload: 64 KiB instead of 256 KiB;
 * queue: 10,000 records instead of 100,000), --json (one JSON line per row).
 */
import { bleEntry } from './ble';
import { cliStartupEntry } from './cli-startup';
import { fleetEntry } from './fleet';
import { pkcs11Entry } from './pkcs11';
import { runQueueBench, type QueueBenchResult } from './queue';
import { scaleEntry } from './scale';
import { uiEntry } from './ui';
import { runUploadCase, type UploadCase, type UploadRow } from './upload';

const argv = process.argv.slice(2);
const args = new Set(argv);
const quick = args.has('--quick');
const json = args.has('--json');
const SIZE = (quick ? 64 : 256) * 1024;
const QUEUE_RECORDS = quick ? 10_000 : 100_000;
const ENTRIES = ['upload', 'queue', 'ui', 'scale', 'ble', 'cli', 'pkcs11', 'fleet'] as const;

/** `--only a,b` or `--only=a,b`; default every entry. */
function selectedEntries(): Set<string> {
  const at = argv.findIndex((a) => a === '--only' || a.startsWith('--only='));
  if (at < 0) return new Set(ENTRIES);
  const value = argv[at]!.includes('=') ? argv[at]!.slice('--only='.length) : (argv[at + 1] ?? '');
  const names = value.split(',').map((n) => n.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(ENTRIES as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    process.stderr.write(`bench: --only takes ${ENTRIES.join(', ')} (comma-separated), not "${value}"\n`);
    process.exit(2);
  }
  return new Set(names);
}

function kib(n: number): string {
  return (n / 1024).toFixed(2).padStart(7);
}

function printRow(r: UploadRow): void {
  if (json) {
    process.stdout.write(JSON.stringify({ bench: 'upload', ...r }) + '\n');
    return;
  }
  const mode = r.window > 1 ? `pipelined w=${r.window}` : 'stop-and-wait';
  process.stdout.write(
    `${r.kind.padEnd(5)} ${String(r.baud).padStart(7)} baud  buf ${String(r.bufSize).padStart(4)}/${r.bufCount}  ${mode.padEnd(15)}` +
      ` ${kib(r.bytesPerSecond)} KiB/s  ceiling ${kib(r.ceiling)} KiB/s  ratio ${r.ratio.toFixed(3)}  (${r.seconds.toFixed(1)} s, resent ${r.resentBytes} B)\n`,
  );
}

async function uploadEntry(): Promise<boolean> {
  const cases: UploadCase[] = [];
  for (const baud of [115200, 1_000_000]) {
    for (const [bufSize, bufCount] of [
      [384, 4],
      [2475, 4],
    ] as const) {
      for (const kind of ['fs', 'image'] as const) cases.push({ kind, baud, bufSize, bufCount, window: bufCount - 1 });
    }
  }
  // Stop-and-wait beside the pipelined figure, at the target configuration.
  cases.splice(2, 0, { kind: 'fs', baud: 115200, bufSize: 384, bufCount: 4, window: 1 }, { kind: 'image', baud: 115200, bufSize: 384, bufCount: 4, window: 1 });

  if (!json) process.stdout.write(`Upload of ${SIZE / 1024} KiB through a virtual gateway (8N1 throttled pty, device delays 0)\n`);
  const rows: UploadRow[] = [];
  for (const c of cases) {
    const row = await runUploadCase(c, SIZE);
    rows.push(row);
    printRow(row);
  }
  const target = rows.filter((r) => r.baud === 115200 && r.bufSize === 384 && r.window > 1);
  const pass = target.every((r) => r.ratio >= 0.95);
  const line = `target: pipelined at 115200 baud, 384/4: ratio ${target.map((r) => `${r.kind} ${r.ratio.toFixed(3)}`).join(', ')} (goal ≥ 0.95) — ${pass ? 'met' : 'NOT met'}`;
  process.stdout.write((json ? JSON.stringify({ bench: 'upload-target', pass, ratios: target.map((r) => r.ratio) }) : line) + '\n');
  return pass;
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');

async function queueEntry(): Promise<boolean> {
  if (!json) {
    process.stdout.write(
      `\nRegistry outbox: ${int(QUEUE_RECORDS)} records, drained into the reference registry (\`fieldline registry serve\`, a child process) over loopback\n`,
    );
  }
  const r: QueueBenchResult = await runQueueBench(QUEUE_RECORDS);
  const pass = r.ratio >= 0.8;
  if (json) {
    process.stdout.write(JSON.stringify({ bench: 'queue', ...r }) + '\n');
    process.stdout.write(JSON.stringify({ bench: 'queue-target', pass, ratio: r.ratio }) + '\n');
    return pass;
  }
  const rows = [
    `records   ${int(r.records)} of ${int(r.recordBytes)} bytes, batches of ${r.batchRecords}`,
    `enqueue   ${int(r.enqueueRecordsPerSecond).padStart(7)} records/s  saveRun + outbox row in its transaction, 1,000 runs per transaction`,
    `enqueue   ${int(r.enqueueSingleRecordsPerSecond).padStart(7)} records/s  the same, one run per transaction (fsync each) as a station saves them (2,000-run sample)`,
    `drain     ${int(r.drainRecordsPerSecond).padStart(7)} records/s  ${r.drainSeconds.toFixed(1)} s, outbox → registry, every record acknowledged and marked`,
    `raw       ${int(r.rawRecordsPerSecond).padStart(7)} records/s  ${r.rawSeconds.toFixed(1)} s, the same batches as straight POSTs, no queue (mean of ${r.rawRuns.map((x) => `${x.toFixed(1)} s`).join(' before and ')} after the drain)`,
    `target: drain ÷ raw = ${r.ratio.toFixed(3)} (goal ≥ 0.8) — ${pass ? 'met' : 'NOT met'}`,
  ];
  process.stdout.write(rows.join('\n') + '\n');
  return pass;
}

async function main(): Promise<void> {
  const selected = selectedEntries();
  let pass = true;
  if (selected.has('upload')) pass = (await uploadEntry()) && pass;
  if (selected.has('queue')) pass = (await queueEntry()) && pass;
  if (selected.has('ui')) pass = (await uiEntry({ quick, json })) && pass;
  // The factory-scaling targets (issue #6, not finished) are printed with met / NOT met but do not yet fail the run:
  // the entries above are the ones whose targets the landed work commits to.
  if (selected.has('scale')) await scaleEntry({ quick, json });
  if (selected.has('ble')) pass = (await bleEntry({ quick, json })) && pass;
  if (selected.has('cli')) pass = (await cliStartupEntry({ quick, json })) && pass;
  if (selected.has('pkcs11')) pass = (await pkcs11Entry({ quick, json })) && pass;
  if (selected.has('fleet')) pass = (await fleetEntry({ quick, json })) && pass;
  if (!pass) process.exitCode = 1;
}

await main();
