/**
 * Print label / Reprint label for a passed run: to the station's label printer, else a ZPL file on the station.
 * "Reprint" once this window printed it, or the line printed it after the run passed.
 */
import type { JSX } from 'react';
import { printLabel } from '../../effects/line';
import { useLine } from '../../state/line';
import type { RunView } from '../../state/run-view';

export function LabelAction({ run }: { run: RunView }): JSX.Element | null {
  const printed = useLine((s) => s.labels[run.runId]);
  const byLine = useLine((s) => Object.values(s.slots).some((slot) => slot.runId === run.runId && slot.label?.target !== undefined));
  const printing = useLine((s) => Boolean(s.printing[run.runId]));
  if (run.outcome !== 'passed') return null;
  const again = printed !== undefined || byLine;
  return (
    <>
      <button type="button" data-testid="run-print-label" disabled={printing} onClick={() => void printLabel(run.runId)}>
        {printing ? 'Printing…' : again ? 'Reprint label' : 'Print label'}
      </button>
      {printed && (
        <span role="status" className="saved" data-testid="run-label-result" data-target={printed.target}>
          <span aria-hidden="true">✔ </span>
          {printed.file ? `Label written to ${printed.file}` : `Label sent to ${printed.target.replace(/^printer:/, '')}`} ({printed.bytes} bytes)
        </span>
      )}
    </>
  );
}
