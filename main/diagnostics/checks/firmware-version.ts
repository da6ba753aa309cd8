/** The running (active) image's version is at least the minimum. */
import { compareVersions } from '../../device/mcuboot-image';
import { readState } from '../../smp/groups/image';
import type { Check } from '../check';
import type { DiagnosticSpec } from '../../profiles/schema';

type Spec = Extract<DiagnosticSpec, { type: 'firmware-version' }>;

export const firmwareVersion: Check<Spec> = async (spec, { session }) => {
  const active = (await readState(session.client)).find((s) => s.active);
  if (!active) return { passed: false, value: null, limits: { min: spec.min }, detail: 'the device reports no active image' };
  return { passed: compareVersions(active.version, spec.min, false) >= 0, value: active.version, limits: { min: spec.min } };
};
