/** Shell checks: output matches a pattern (and the return code), or a number read from the output lies in limits. */
import { shellExec } from '../../smp/groups/shell';
import { withinLimits, type Check } from '../check';
import type { DiagnosticSpec } from '../../profiles/schema';

type MatchSpec = Extract<DiagnosticSpec, { type: 'shell-match' }>;
type NumberSpec = Extract<DiagnosticSpec, { type: 'shell-number' }>;

function firstLine(text: string): string {
  return text.trim().split(/\r?\n/)[0]?.slice(0, 200) ?? '';
}

const SHOWN_MAX = 200;
const clip = (text: string): string => (text.length > SHOWN_MAX ? `${text.slice(0, SHOWN_MAX - 1)}…` : text);

/** The plain text a pattern starts with (`^selftest: PASS$` → `selftest: PASS`), up to its first special character. */
function literalStart(pattern: string): string {
  const m = /^\^?([^\\.[\](){}*+?|$^]*)(.?)/.exec(pattern);
  const text = m?.[1] ?? '';
  // A quantifier after the text makes its last character optional.
  return m?.[2] && '*?{'.includes(m[2]) ? text.slice(0, -1) : text;
}

const commonStart = (a: string, b: string): number => {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
};

/**
 * What a shell-match diagnostic shows as its value: the line the pattern matched; when it did not match, the whole
 * output if it is short, else the line the pattern was written for — the one that starts most like the pattern
 * (`selftest: FAIL (…)` for `^selftest: PASS$`), or the last line, where shells put a summary. The first line
 * ("ram: PASS" on a failed selftest) told a technician the opposite of what happened.
 */
export function shownOutput(output: string, pattern: string): string {
  const lines = output.split(/\r?\n/).map((l) => l.trimEnd()).filter((l) => l.trim() !== '');
  const match = new RegExp(pattern, 'm').exec(output);
  if (match) {
    const matched = lines.find((l) => l.includes(match[0].split(/\r?\n/)[0] ?? match[0]));
    if (matched !== undefined) return clip(matched.trim());
  }
  const whole = lines.map((l) => l.trim()).join(' | ');
  if (lines.length <= 3 && whole.length <= 120) return whole;
  const start = literalStart(pattern);
  let best: { line: string; score: number } = { line: lines.at(-1) ?? '', score: 1 };
  for (const line of lines) {
    const score = commonStart(line.trim(), start);
    if (score > best.score) best = { line, score };
  }
  return clip(best.line.trim());
}

export const shellMatch: Check<MatchSpec> = async (spec, { session }) => {
  const r = await shellExec(session.client, spec.command, { readOnly: spec.readOnly ?? false });
  const matched = new RegExp(spec.pattern, 'm').test(r.output);
  return {
    passed: matched && r.ret === spec.expectRet,
    value: shownOutput(r.output, spec.pattern),
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
