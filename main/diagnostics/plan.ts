/**
 * Runs a diagnostics plan: every check in order, each timed, each with its measured value and limits. A check
 * that throws (device error, timeout) is a failed result that says why; a vanished device or a cancel stops the
 * plan, because nothing after it could be measured.
 */
import { isDeviceGone } from '../device/gone';
import { FieldlineError } from '../errors';
import type { DiagnosticSpec } from '../profiles/schema';
import type { DiagnosticResult } from '../contract/run-record';
import type { Check, CheckContext } from './check';
import { echoRtt } from './checks/echo-rtt';
import { firmwareVersion } from './checks/firmware-version';
import { identityChallenge } from './checks/identity-challenge';
import { settingsHash } from './checks/settings-hash';
import { shellMatch, shellNumber } from './checks/shell';
import { statCounter } from './checks/stat';

const CHECKS: { [T in DiagnosticSpec['type']]: Check<Extract<DiagnosticSpec, { type: T }>> } = {
  'echo-rtt': echoRtt,
  'firmware-version': firmwareVersion,
  'settings-hash': settingsHash,
  'identity-challenge': identityChallenge,
  'shell-match': shellMatch,
  'shell-number': shellNumber,
  stat: statCounter,
};

/** A vanished device (a dropped BLE link included, so the runner can reconnect) or a cancel ends the plan. */
const isFatal = (err: unknown): boolean => isDeviceGone(err) || (err instanceof FieldlineError && err.code === 'CANCELLED');

export async function runDiagnostics(
  plan: DiagnosticSpec[],
  context: CheckContext,
  onResult?: (result: DiagnosticResult) => void,
): Promise<DiagnosticResult[]> {
  const results: DiagnosticResult[] = [];
  for (const spec of plan) {
    if (context.signal?.aborted) throw new FieldlineError('CANCELLED', 'diagnostics cancelled');
    const t0 = context.clock.monotonicMs();
    const check = CHECKS[spec.type] as Check;
    let result: DiagnosticResult;
    try {
      const outcome = await check(spec, context);
      result = { name: spec.name, type: spec.type, ...outcome, durationMs: round(context.clock.monotonicMs() - t0) };
    } catch (err) {
      if (isFatal(err)) throw err;
      const message = err instanceof Error ? err.message : String(err);
      result = { name: spec.name, type: spec.type, passed: false, value: null, limits: {}, durationMs: round(context.clock.monotonicMs() - t0), detail: message };
    }
    results.push(result);
    onResult?.(result);
  }
  return results;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
