/**
 * The run record: what one provisioning run did to one gateway, step by step, with evidence. It is what the
 * store keeps, what the CLI prints under --json, what the report renders and (issue #4) what the registry gets.
 */
export type StepName = 'identify' | 'firmware' | 'identity' | 'configuration' | 'diagnostics' | 'finalize';
export const STEP_ORDER: readonly StepName[] = ['identify', 'firmware', 'identity', 'configuration', 'diagnostics', 'finalize'];

export type StepOutcome = 'passed' | 'failed' | 'skipped';
/**
 * `running` while a run is under way (a record left so by a crash counts as interrupted); `interrupted` when the
 * device vanished before the run or its rollback could finish — the next run of that device repairs it.
 */
export type RunOutcome = 'running' | 'passed' | 'failed' | 'cancelled' | 'interrupted';

export interface ErrorRecord {
  code: string;
  message: string;
}

export interface StepRecord {
  name: StepName;
  startedAt: string;
  endedAt: string;
  outcome: StepOutcome;
  /** What the step saw and did (values read back, hashes, fingerprints…). No secrets. */
  evidence: Record<string, unknown>;
  error?: ErrorRecord;
}

export interface DiagnosticResult {
  name: string;
  type: string;
  passed: boolean;
  /** The measured value (number, string or boolean). */
  value: unknown;
  limits: { min?: number | string; max?: number | string; pattern?: string; expected?: unknown };
  unit?: string;
  durationMs: number;
  detail?: string;
}

export interface CertificateRecord {
  serial: string;
  fingerprintSha256: string;
  subject: string;
  notBefore: string;
  notAfter: string;
  issuer: string;
  mode: 'csr' | 'inject';
  revoked?: boolean;
}

export interface RollbackRecord {
  startedAt: string;
  endedAt: string;
  actions: Array<{ action: string; outcome: 'done' | 'failed' | 'not-needed'; detail?: string }>;
}

export interface RunRecord {
  id: string;
  /** Run this one resumes or restarts, when the device was unplugged mid-run. */
  previousRunId?: string;
  device: { serial: string; port: string; firmwareBefore?: string; firmwareAfter?: string };
  profile: { name: string; version: string; sha256: string; signedBy?: string };
  station: { name: string };
  variables: Record<string, string>;
  startedAt: string;
  endedAt: string;
  outcome: RunOutcome;
  steps: StepRecord[];
  diagnostics: DiagnosticResult[];
  certificate?: CertificateRecord;
  /** SHA-256 over the rendered settings and files, as read back from the device. */
  configurationHash?: string;
  rollback?: RollbackRecord;
  error?: ErrorRecord;
}
