/** The time, re-read every `everyMs` while `active` (an elapsed-time display); a plain Date.now() otherwise. */
import { useEffect, useState } from 'react';

export function useNow(everyMs: number, active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return undefined;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs, active]);
  return now;
}
