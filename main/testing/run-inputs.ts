/** What a test or bench that runs provisioning directly gives the runner: real sessions, the system clock. */
import { systemClock } from '../contract/clock';
import { openTarget } from '../device/target';
import type { ProvisionOptions } from '../provisioning/runner';

export const systemRunInputs: Pick<ProvisionOptions, 'openSession' | 'clock'> = { openSession: openTarget, clock: systemClock };
