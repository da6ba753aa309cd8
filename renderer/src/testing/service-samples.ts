/** A service:inspect answer and a service action's answer, for the device page's tests. */
import type { Difference } from '../../../main/contract/api';
import type { ServiceInspection, ServiceResult } from '../../../main/contract/service';
import { RUN_A, RUN_B, runRecord } from './samples';

export function inspection(over: Partial<ServiceInspection> = {}, differences: Difference[] = []): ServiceInspection {
  const profile = { name: 'gateway-eu', version: '1.0.0' };
  return {
    deviceId: 'serial:/dev/pts/3',
    serial: 'GW-1',
    location: '/dev/pts/3',
    firmware: '1.0.0',
    identity: {
      serial: '0a1b',
      subject: 'CN=GW-1',
      issuer: 'CN=Fieldline dev CA',
      fingerprintSha256: 'f'.repeat(64),
      notBefore: '2026-01-01T00:00:00.000Z',
      notAfter: '2027-01-01T00:00:00.000Z',
      expiresInDays: 300,
      revoked: false,
      issuedHere: true,
    },
    slots: [{ slot: 0, version: '1.0.0', active: true, confirmed: true, pending: false, permanent: false }],
    history: [{ runId: RUN_A, source: 'store', startedAt: '2026-01-01T10:00:00.000Z', endedAt: '2026-01-01T10:00:05.000Z', outcome: 'passed', station: 'st', profile }],
    basis: { runId: RUN_A, source: 'store', startedAt: '2026-01-01T10:00:00.000Z', outcome: 'passed', station: 'st', profile: { ...profile, sha256: 'a'.repeat(64) }, variables: {} },
    drift: { provisioned: { serial: 'GW-1', firmware: '1.0.0', profile, variables: {}, differences }, release: null },
    release: { ...profile, firmware: '1.0.0' },
    todos: differences.length > 0 ? [{ kind: 'drift', message: `${differences.length} settings drifted`, action: 'remediate' }] : [],
    ...over,
  };
}

export function serviceResult(action: ServiceResult['action'], over: Partial<ServiceResult> = {}): ServiceResult {
  const base = inspection().basis;
  if (!base) throw new Error('sample inspection without a basis');
  return {
    record: runRecord(RUN_B, { service: { action, operator: 'ana', basedOnRunId: RUN_A, basedOnSource: 'store', before: {}, after: {} } }),
    basis: base,
    action,
    outcome: 'passed',
    diagnostics: [],
    ...over,
  };
}
