/**
 * The label of a passing line run, printed when the station has a printer: what the slot then shows — where it went
 * and its size, or the error. A printer failing never fails the run (the unit passed; its label can be reprinted
 * from the run view), so the error is the slot's, not thrown.
 */
import type { SlotInfo } from '../contract/line';
import { FieldlineError } from '../errors';
import type { Logger } from '../log';
import type { LabelService } from './labels';

export type SlotLabel = NonNullable<SlotInfo['label']>;

const clip = (text: string, max: number): string => (text.length > max ? text.slice(0, max) : text);

/**
 * Prints the run's label when a printer is configured; undefined when there is none. `actor`: who started the line
 * (`operator:NAME`), whom the print's audit entries name.
 */
export async function printPassLabel(labels: LabelService, printer: string | undefined, runId: string, logger: Logger, actor?: string): Promise<SlotLabel | undefined> {
  if (printer === undefined) return undefined;
  try {
    const printed = await labels.print({ runId, via: 'line', actor });
    return { target: clip(printed.target, 1024), bytes: printed.bytes };
  } catch (err) {
    const code = err instanceof FieldlineError ? err.code : 'INTERNAL';
    logger.warn('label after a passing run failed', { run: runId, error: String(err) });
    return { error: { code, message: clip(err instanceof Error ? err.message : String(err), 4000) } };
  }
}
