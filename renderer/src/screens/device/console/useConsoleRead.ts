/**
 * A console panel's one read (info, statistics, image slots): the answer and whether a call is under way, read the
 * first time the panel is shown and again on `load` (its Refresh). `set` takes an answer that came another way (an
 * image action answers with the slots read back).
 */
import { useCallback, useState } from 'react';
import type { MethodValue } from '../../../../../main/contract/api';
import type { ConsoleClient, ConsoleRequest } from './console-client';
import { useFirstShow } from './useFirstShow';

type ReadMethod = 'console:info' | 'console:stats' | 'console:images';

export interface ConsoleRead<N extends ReadMethod> {
  readonly value: MethodValue<N> | undefined;
  readonly busy: boolean;
  load(): void;
  set(value: MethodValue<N>): void;
  setBusy(busy: boolean): void;
}

export function useConsoleRead<N extends ReadMethod>(client: ConsoleClient, shown: boolean, context: string, method: N): ConsoleRead<N> {
  const [value, set] = useState<MethodValue<N>>();
  const [busy, setBusy] = useState(false);
  const load = useCallback(() => {
    setBusy(true);
    // Each of these reads asks nothing but the device, which the client adds; a generic N hides that from the types.
    void client.run(context, method, {} as ConsoleRequest<N>).then((r) => {
      setBusy(false);
      if (r.ok) set(r.value);
    });
  }, [client, context, method]);
  useFirstShow(shown, load);
  return { value, busy, load, set, setBusy };
}
