/** The configuration read back from the device hashes to the golden hash of the rendered profile. */
import type { Check } from '../check';
import type { DiagnosticSpec } from '../../profiles/schema';

type Spec = Extract<DiagnosticSpec, { type: 'settings-hash' }>;

export const settingsHash: Check<Spec> = async (_spec, { expectedConfigurationHash, readConfigurationHash }) => {
  if (!expectedConfigurationHash || !readConfigurationHash) {
    return { passed: false, value: null, limits: {}, detail: 'no golden configuration to compare with (the profile has no settings step)' };
  }
  const actual = await readConfigurationHash();
  return { passed: actual === expectedConfigurationHash, value: actual, limits: { expected: expectedConfigurationHash } };
};
