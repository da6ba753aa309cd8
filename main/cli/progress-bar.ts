/**
 * How the CLI shows the one progress event (main/contract/progress.ts): under --json one line per event, with what
 * identifies the transfer (the run's step, the batch's port); on a terminal one bar on stderr, redrawn in place;
 * off a terminal in text mode nothing, since a log file gains nothing from a line per event. The events come
 * already throttled from their source (main/smp/progress-meter.ts), so this draws every one it is given.
 */
import type { Progress } from '../contract/progress';
import { progressFraction } from '../contract/progress';
import { formatBytes, printJson, type OutputOptions } from './output';

export interface ProgressBar {
  show(progress: Progress): void;
  /** Ends the bar's line (if one was drawn), so the next output starts on its own line. */
  finish(): void;
}

export interface ProgressBarOptions {
  /** Added to every --json line: what the transfer belongs to ({ step } of a run, a batch's { port }). */
  context?: Record<string, unknown>;
  /** Where the bar goes (default stderr); a test passes its own. */
  stream?: Pick<NodeJS.WriteStream, 'write' | 'isTTY'>;
}

const WIDTH = 30;

/** The bar's one line: op, bar, percent, bytes, rate and ETA. */
export function formatProgressLine(p: Progress): string {
  const fraction = progressFraction(p);
  const filled = Math.round(fraction * WIDTH);
  const eta = p.etaSeconds === null ? '?' : `${p.etaSeconds}s`;
  return (
    `${p.op} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ` +
    `${formatBytes(p.done)}/${formatBytes(p.total)} ${formatBytes(p.bytesPerSecond)}/s ETA ${eta}`
  );
}

export function createProgressBar(output: OutputOptions, options: ProgressBarOptions = {}): ProgressBar {
  const stream = options.stream ?? process.stderr;
  if (output.json) {
    return { show: (p) => printJson({ event: 'progress', ...options.context, ...p }), finish: () => {} };
  }
  if (stream.isTTY !== true) return { show: () => {}, finish: () => {} };
  let drawn = 0;
  return {
    show(p) {
      const line = formatProgressLine(p);
      // Spaces cover what a longer line drawn before left behind.
      stream.write(`\r${line}${' '.repeat(Math.max(0, drawn - line.length))}`);
      drawn = line.length;
    },
    finish() {
      if (drawn > 0) stream.write('\n');
      drawn = 0;
    },
  };
}
