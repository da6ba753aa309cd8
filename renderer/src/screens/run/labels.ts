/** Step names as the run view says them. */
import type { StepName } from '../../../../main/contract/api';

export const STEP_LABEL: Record<StepName, string> = {
  identify: 'Identify',
  firmware: 'Firmware',
  identity: 'Identity certificate',
  configuration: 'Configuration',
  diagnostics: 'Diagnostics',
  finalize: 'Finalize',
};
