/** Runs `load` the first time a console panel is shown (panels stay mounted while hidden, keeping their state). */
import { useEffect, useRef } from 'react';

export function useFirstShow(shown: boolean, load: () => void): void {
  const loaded = useRef(false);
  useEffect(() => {
    if (!shown || loaded.current) return;
    loaded.current = true;
    load();
  }, [shown, load]);
}
