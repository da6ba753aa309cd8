/**
 * A serial (or a port name) as a technician reads it back: never broken inside a word, only after a separator
 * (- _ / : .), where a <wbr> allows it; a part still too wide for its box ends in an ellipsis, and the title holds the
 * whole value. `overflow-wrap: anywhere` (what .mono and code use) once broke "F1E1D0000000|0001" across two lines.
 */
import { Fragment, type JSX } from 'react';

/** The value cut after each separator: the pieces a line may break between. */
export function serialPieces(value: string): string[] {
  return value.match(/[^-_/:.]*[-_/:.]*/g)?.filter((piece) => piece !== '') ?? [value];
}

export function Serial({ value, className, testId }: { value: string; className?: string; testId?: string }): JSX.Element {
  const pieces = serialPieces(value);
  return (
    <span className={className ? `serial ${className}` : 'serial'} title={value} data-testid={testId}>
      {pieces.map((piece, i) => (
        <Fragment key={i}>
          {i > 0 && <wbr />}
          {piece}
        </Fragment>
      ))}
    </span>
  );
}
