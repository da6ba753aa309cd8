/** Service visit: replace a unit by a new one (replace:start), then refresh what the screens show of both. */
import type { ReplacementInfo } from '../../../main/contract/api';
import { api } from './api';
import { call } from './call';

/** Answers the replacement's outcome, or undefined when the call was refused (the alert region says why). */
export async function replaceDevice(request: { oldSerial: string; deviceId: string; profilePath: string }): Promise<ReplacementInfo | undefined> {
  const result = await call('Replace device', api().invoke['replace:start'](request));
  return result.ok ? result.value : undefined;
}
