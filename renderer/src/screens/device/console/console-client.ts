/**
 * The console's calls for one device. The Node side claims the device for each call and refuses a second call
 * while one runs (DEVICE_BUSY), so this client sends them one after another: a technician clicking Refresh while a
 * listing is on its way waits, rather than reading an error. Failures go to the alert region (effects/call.ts).
 */
import type { FieldlineApi, MethodArgs, MethodName, MethodValue, Result } from '../../../../../main/contract/api';
import { api } from '../../../effects/api';
import { call } from '../../../effects/call';

export type ConsoleMethod = Extract<MethodName, `console:${string}`>;
/** A console method's request without the device, which the client adds. */
export type ConsoleRequest<N extends ConsoleMethod> = Omit<MethodArgs<N>[0], 'deviceId'>;

export interface ConsoleClient {
  readonly deviceId: string;
  run<N extends ConsoleMethod>(context: string, name: N, request: ConsoleRequest<N>): Promise<Result<MethodValue<N>>>;
}

export function createConsoleClient(deviceId: string, invoke: () => FieldlineApi['invoke'] = () => api().invoke): ConsoleClient {
  let last: Promise<unknown> = Promise.resolve();
  return {
    deviceId,
    run(context, name, request) {
      // Indexed by a generic name the methods' union loses the link between a name and its argument.
      const method = invoke()[name] as unknown as (arg: MethodArgs<typeof name>[0]) => Promise<Result<MethodValue<typeof name>>>;
      const next = last.then(() => call(context, method({ ...request, deviceId } as MethodArgs<typeof name>[0])));
      last = next.catch(() => undefined);
      return next;
    },
  };
}
