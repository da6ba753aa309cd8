/** Run records for tests: one with every optional field filled, so a round trip through the store proves it all. */
import { randomUUID } from 'node:crypto';
import type { RunRecord, ServiceAction, StepName } from '../contract/run-record';
import type { RunStart } from '../station/orchestrator-api';

export interface SampleRunOptions {
  id?: string;
  serial?: string;
  startedAt?: string;
  outcome?: RunRecord['outcome'];
}

/** A complete record: a run whose diagnostics failed and was rolled back, with evidence of every JSON type. */
export function sampleRunRecord(options: SampleRunOptions = {}): RunRecord {
  const startedAt = options.startedAt ?? '2026-11-26T05:40:00.000Z';
  const t = (seconds: number): string => new Date(Date.parse(startedAt) + seconds * 1000).toISOString();
  return {
    id: options.id ?? randomUUID(),
    previousRunId: 'run-before',
    device: { serial: options.serial ?? 'GW-00A1', port: '/dev/ttyACM0', firmwareBefore: '1.0.0', firmwareAfter: '1.1.0' },
    profile: { name: 'acme-gateway', version: '1.2.0', sha256: 'ab'.repeat(32), signedBy: 'ed25519:publisher' },
    station: { name: 'line-3' },
    variables: { site: 'MUC-3', 'ünïcode': 'Grüße ✓' },
    startedAt,
    endedAt: t(42.5),
    outcome: options.outcome ?? 'failed',
    steps: [
      {
        name: 'identify',
        startedAt: t(0),
        endedAt: t(1.2),
        outcome: 'passed',
        evidence: { serial: 'GW-00A1', firmware: '1.0.0', snapshot: { settings: { 'app/interval': '1e000000', 'app/x': null }, files: {} } },
      },
      { name: 'firmware', startedAt: t(1.2), endedAt: t(20), outcome: 'passed', evidence: { uploaded: true, bytes: 262144, hash: 'cd'.repeat(32) } },
      { name: 'identity', startedAt: t(20), endedAt: t(25), outcome: 'passed', evidence: { mode: 'csr', fingerprint: 'ef'.repeat(32) } },
      { name: 'configuration', startedAt: t(25), endedAt: t(30), outcome: 'passed', evidence: { written: ['app/interval'], ratio: 0.25, nested: [[1, 2], { a: [] }] } },
      {
        name: 'diagnostics',
        startedAt: t(30),
        endedAt: t(40),
        outcome: 'failed',
        evidence: { failed: ['temperature'] },
        error: { code: 'DIAGNOSTICS_FAILED', message: 'temperature 91 °C above 85' },
      },
      { name: 'finalize', startedAt: t(40), endedAt: t(40), outcome: 'skipped', evidence: {} },
    ],
    diagnostics: [
      { name: 'rtt', type: 'echo-rtt', passed: true, value: 12.5, limits: { max: 50 }, unit: 'ms', durationMs: 80 },
      { name: 'temperature', type: 'shell-number', passed: false, value: 91, limits: { min: -20, max: 85 }, unit: '°C', durationMs: 30, detail: 'diag temp' },
      { name: 'banner', type: 'shell-match', passed: true, value: 'ok', limits: { pattern: '^ok$' }, durationMs: 5 },
      { name: 'fw', type: 'firmware-version', passed: true, value: '1.1.0', limits: { min: '1.1.0', expected: { any: ['x', 1] } }, durationMs: 2 },
    ],
    certificate: {
      serial: '0f'.repeat(16),
      fingerprintSha256: '12'.repeat(32),
      subject: 'CN=GW-00A1,O=Acme',
      notBefore: t(20),
      notAfter: '2027-11-26T05:40:20.000Z',
      issuer: 'CN=Station line-3',
      mode: 'csr',
      revoked: true,
    },
    configurationHash: '34'.repeat(32),
    rollback: {
      startedAt: t(40),
      endedAt: t(42),
      actions: [
        { action: 'restore-settings', outcome: 'done' },
        { action: 'revert-firmware', outcome: 'done', detail: 'reset; MCUboot reverts the unconfirmed image' },
        { action: 'erase-identity', outcome: 'not-needed' },
      ],
    },
    error: { code: 'DIAGNOSTICS_FAILED', message: 'Acceptance diagnostics failed: temperature' },
  };
}

/**
 * A field-service record (issue #16) of the sample's shape: a passed diagnose visit by default, with diagnostics and a
 * step, so every place that counts units or looks for a passed run has something it must leave out.
 */
export function sampleServiceRecord(options: SampleRunOptions & { action?: ServiceAction } = {}): RunRecord {
  const { action = 'diagnose', ...run } = options;
  const record = sampleRunRecord({ outcome: 'passed', ...run });
  const { rollback: _rollback, error: _error, ...rest } = record;
  return {
    ...rest,
    variables: { site: 'SERVICED-ELSEWHERE' },
    // An evidence key named service: the record is a service record for its top-level section, not for this.
    steps: record.steps.map(({ error: _error, ...s }) => ({ ...s, outcome: 'passed' as const, evidence: { service: 'evidence may name it too' } })),
    diagnostics: record.diagnostics.map((d) => ({ ...d, value: typeof d.value === 'number' ? d.value * 100 : d.value })),
    service: { action, operator: 'Ana', before: { firmware: '1.0.0' }, after: { firmware: '1.0.0' } },
  };
}

/** What a fake `provision` of the orchestrator tests returns when its run ends: `failedStep` is the step that failed. */
export function orchestratorRunRecord(run: Pick<RunStart, 'runId' | 'port'>, outcome: RunRecord['outcome'], failedStep?: StepName): RunRecord {
  return {
    id: run.runId,
    device: { serial: run.port.serialNumber ?? 'X', port: run.port.path },
    profile: { name: 'p', version: '1', sha256: '' },
    station: { name: 's' },
    variables: {},
    startedAt: new Date().toISOString(),
    endedAt: new Date().toISOString(),
    outcome,
    steps: failedStep ? [{ name: failedStep, startedAt: '', endedAt: '', outcome: 'failed', evidence: {} }] : [],
    diagnostics: [],
  };
}
