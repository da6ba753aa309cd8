/**
 * The one progress event of a long operation (an image or file upload, a file download), whoever shows it: the
 * CLI's bar, the `--json` lines of every long command, the app's run view. Its source throttles it (at most ten a
 * second, and always the final one: main/smp/progress-meter.ts), so no reader needs to throttle again.
 */
import { z } from 'zod';

export const progressSchema = z.object({
  /** What is under way: 'image upload', 'file upload', 'file download'. */
  op: z.string().min(1).max(64),
  /** Bytes the device acknowledged (upload) or sent (download) so far. */
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  /** Measured over this operation so far; 0 until something was measured. */
  bytesPerSecond: z.number().nonnegative(),
  /** null while no rate is known yet; 0 once done. */
  etaSeconds: z.number().nonnegative().nullable(),
});
export type Progress = z.infer<typeof progressSchema>;

/** How far, 0..1 (an empty transfer is complete). */
export function progressFraction(p: Pick<Progress, 'done' | 'total'>): number {
  return p.total > 0 ? Math.min(1, p.done / p.total) : 1;
}
