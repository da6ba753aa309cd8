/** A screen's heading: the target focus moves to when the screen changes, so keyboard users start at the top. */
import type { JSX, ReactNode } from 'react';

export const SCREEN_TITLE_ID = 'screen-title';

export function ScreenTitle({ children }: { children: ReactNode }): JSX.Element {
  return (
    <h1 id={SCREEN_TITLE_ID} tabIndex={-1}>
      {children}
    </h1>
  );
}
