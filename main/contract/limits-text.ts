/**
 * A diagnostic's limits as people write them — `≤ 250 ms`, `-20 … 70 °C`, `= 0`, `matches ^selftest: PASS$` —
 * for the CLI's progress lines and the HTML report, which showed the raw JSON (`{"max":250}`). Pure: the renderer
 * may use it too.
 */
import type { DiagnosticResult } from './run-record';

type Limits = DiagnosticResult['limits'];

/** Profiles are ASCII; a temperature's unit is written `C` there and read as °C. */
function unitText(unit: string | undefined): string {
  if (!unit) return '';
  return ` ${unit === 'C' || unit === 'degC' ? '°C' : unit}`;
}

function expectedText(expected: unknown): string {
  if (typeof expected === 'string') return expected.length > 24 ? `${expected.slice(0, 16)}…` : expected;
  return typeof expected === 'number' || typeof expected === 'boolean' ? String(expected) : JSON.stringify(expected);
}

/**
 * `type` decides what two fields mean: a shell-number's pattern only reads the number (its limits are min and
 * max), and a shell-match's `expected` is the command's return code, not the value.
 */
export function formatLimits(result: { type?: string; limits: Limits; unit?: string | undefined }): string {
  const { min, max, pattern, expected } = result.limits;
  const unit = unitText(result.unit);
  const parts: string[] = [];
  if (min !== undefined && max !== undefined) parts.push(min === max ? `= ${min}${unit}` : `${min} … ${max}${unit}`);
  else if (max !== undefined) parts.push(`≤ ${max}${unit}`);
  else if (min !== undefined) parts.push(`≥ ${min}${unit}`);
  const numeric = min !== undefined || max !== undefined;
  if (pattern !== undefined && !(result.type === 'shell-number' && numeric)) parts.push(`matches ${pattern}`);
  if (expected !== undefined) parts.push(result.type === 'shell-match' ? `return code ${expectedText(expected)}` : `= ${expectedText(expected)}${unit}`);
  return parts.join(', ') || '—';
}

/** A measured value as read — a number or text as it is, no JSON quotes — with its unit; nothing measured is "—". */
export function formatMeasured(result: { value: unknown; unit?: string | undefined }): string {
  const v = result.value;
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return `${v}${unitText(result.unit)}`;
  return typeof v === 'string' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}
