/** A device statistics counter lies within limits (e.g. CRC errors = 0). */
import { readStats } from '../../smp/groups/stats';
import { withinLimits, type Check } from '../check';
import type { DiagnosticSpec } from '../../profiles/schema';

type Spec = Extract<DiagnosticSpec, { type: 'stat' }>;

export const statCounter: Check<Spec> = async (spec, { session }) => {
  const fields = await readStats(session.client, spec.group);
  const value = fields[spec.field];
  const limits = { ...(spec.min !== undefined ? { min: spec.min } : {}), ...(spec.max !== undefined ? { max: spec.max } : {}) };
  if (value === undefined) return { passed: false, value: null, limits, detail: `stats group ${spec.group} has no ${spec.field}` };
  return { passed: withinLimits(value, spec.min, spec.max), value, limits };
};
