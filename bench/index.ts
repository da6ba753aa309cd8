/**
 * `npm run bench`: each entry prints its figures and the ratios measured side by side in one run.
 * Options: --quick (64 KiB instead of 256 KiB), --json (one JSON line per row).
 */
import { runUploadCase, type UploadCase, type UploadRow } from './upload';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const json = args.has('--json');
const SIZE = (quick ? 64 : 256) * 1024;

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

async function main(): Promise<void> {
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
  if (!pass) process.exitCode = 1;
}

await main();
