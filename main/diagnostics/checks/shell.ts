/** Shell checks: output matches a pattern (and the return code), or a number read from the output lies in limits. */
import { shellExec } from '../../smp/groups/shell';
import { withinLimits, type Check } from '../check';
import type { DiagnosticSpec } from '../../profiles/schema';

type MatchSpec = Extract<DiagnosticSpec, { type: 'shell-match' }>;
type NumberSpec = Extract<DiagnosticSpec, { type: 'shell-number' }>;

function firstLine(text: string): string {
  return text.trim().split(/\r?\n/)[0]?.slice(0, 200) ?? '';
}

export const shellMatch: Check<MatchSpec> = async (spec, { session }) => {
  const r = await shellExec(session.client, spec.command, { readOnly: spec.readOnly ?? false });
  const matched = new RegExp(spec.pattern, 'm').test(r.output);
  return {
    passed: matched && r.ret === spec.expectRet,
    value: firstLine(r.output),
    limits: { pattern: spec.pattern, expected: spec.expectRet },
    detail: `ret ${r.ret}${matched ? '' : ', pattern not found'}`,
  };
};

export const shellNumber: Check<NumberSpec> = async (spec, { session }) => {
  const r = await shellExec(session.client, spec.command, { readOnly: spec.readOnly ?? false });
  const limits = { pattern: spec.pattern, ...(spec.min !== undefined ? { min: spec.min } : {}), ...(spec.max !== undefined ? { max: spec.max } : {}) };
  const m = new RegExp(spec.pattern, 'm').exec(r.output);
  const value = m?.[1] !== undefined ? Number(m[1]) : NaN;
  if (r.ret !== 0 || Number.isNaN(value)) {
    return { passed: false, value: null, limits, ...(spec.unit ? { unit: spec.unit } : {}), detail: `ret ${r.ret}; output: ${firstLine(r.output)}` };
  }
  return { passed: withinLimits(value, spec.min, spec.max), value, limits, ...(spec.unit ? { unit: spec.unit } : {}) };
};
