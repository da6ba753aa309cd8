import { type JSX } from 'react';

/** The quiet confirmation a settings form shows after a save (announced to screen readers). */
export function SavedNote(): JSX.Element {
  return (
    <span role="status" className="saved">
      <span aria-hidden="true">✔ </span>Saved
    </span>
  );
}
