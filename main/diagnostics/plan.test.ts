import { describe, expect, it } from 'vitest';
import { systemClock } from '../contract/clock';
import type { ErrorCode } from '../contract/errors';
import type { GatewaySession } from '../device/session';
import { FieldlineError } from '../errors';
import type { DiagnosticSpec } from '../profiles/schema';
import type { DiagnosticResult } from '../contract/run-record';
import type { CheckContext } from './check';
import { runDiagnostics } from './plan';

const PLAN: DiagnosticSpec[] = [
  { type: 'settings-hash', name: 'config' },
  { type: 'settings-hash', name: 'config again' },
];

/** A plan of two settings-hash checks whose first read fails with `error`. */
async function runWith(error: Error): Promise<{ results: DiagnosticResult[] | undefined; thrown: unknown; reported: DiagnosticResult[] }> {
  let reads = 0;
  const context: CheckContext = {
    session: {} as GatewaySession,
    clock: systemClock,
    expectedConfigurationHash: 'abc',
    readConfigurationHash: () => (reads++ === 0 ? Promise.reject(error) : Promise.resolve('abc')),
  };
  const reported: DiagnosticResult[] = [];
  try {
    return { results: await runDiagnostics(PLAN, context, (r) => reported.push(r)), thrown: undefined, reported };
  } catch (err) {
    return { results: undefined, thrown: err, reported };
  }
}

describe('runDiagnostics', () => {
  it('records a check that throws a device error as failed and goes on', async () => {
    const { results, thrown } = await runWith(new FieldlineError('DEVICE_TIMEOUT', 'no answer'));
    expect(thrown).toBeUndefined();
    expect(results?.map((r) => [r.name, r.passed, r.detail])).toEqual([
      ['config', false, 'no answer'],
      ['config again', true, undefined],
    ]);
  });

  it.each<ErrorCode>(['BLE_LINK_LOST', 'DEVICE_DISCONNECTED', 'PORT_VANISHED', 'CANCELLED'])('ends the plan on %s instead of recording a failed check', async (code) => {
    const { thrown, reported } = await runWith(new FieldlineError(code, 'gone'));
    expect(thrown).toBeInstanceOf(FieldlineError);
    expect((thrown as FieldlineError).code).toBe(code);
    expect(reported).toEqual([]);
  });
});
