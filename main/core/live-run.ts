/**
 * What the app keeps of a run it started, beyond the store: the record as far as the run has got (the store only
 * has it once the device is identified, and never for a run that failed to open the port), and the last log lines
 * (the store keeps records, not logs). Bounded: the last `maxLines` lines per run.
 */
import { randomUUID } from 'node:crypto';
import type { RunLogLine } from '../contract/provisioning';
import type { DiagnosticResult, RunRecord, StepRecord } from '../contract/run-record';
import type { LoadedProfile } from '../profiles/load';

export class LiveRun {
  readonly id: string;
  readonly controller = new AbortController();
  record: RunRecord;
  private readonly lines: RunLogLine[] = [];
  private droppedLines = 0;
  finished = false;

  constructor(
    readonly deviceId: string,
    port: string,
    profile: LoadedProfile,
    station: { name: string },
    variables: Record<string, string>,
    private readonly maxLines: number,
    /** Given by the line, whose slot names the run before it starts; a fresh one otherwise. */
    id?: string,
  ) {
    this.id = id ?? randomUUID();
    this.record = {
      id: this.id,
      device: { serial: '', port },
      profile: { name: profile.profile.name, version: profile.profile.version, sha256: profile.sha256 },
      station,
      variables,
      startedAt: new Date().toISOString(),
      endedAt: '',
      outcome: 'running',
      steps: [],
      diagnostics: [],
    };
  }

  log(line: RunLogLine): void {
    this.lines.push(line);
    if (this.lines.length > this.maxLines) {
      this.lines.shift();
      this.droppedLines += 1;
    }
  }

  logLines(): { lines: RunLogLine[]; dropped: number } {
    return { lines: [...this.lines], dropped: this.droppedLines };
  }

  stepEnded(step: StepRecord): void {
    this.record = { ...this.record, steps: [...this.record.steps, step] };
    const serial = step.name === 'identify' ? step.evidence['serial'] : undefined;
    if (typeof serial === 'string') this.record = { ...this.record, device: { ...this.record.device, serial } };
  }

  diagnostic(result: DiagnosticResult): void {
    this.record = { ...this.record, diagnostics: [...this.record.diagnostics, result] };
  }

  finish(record: RunRecord): void {
    this.record = record;
    this.finished = true;
  }

  /** A run that ended before the runner made its record (the port would not open): failed, with the reason. */
  failBeforeStart(error: { code: string; message: string }): void {
    this.finish({ ...this.record, outcome: 'failed', endedAt: new Date().toISOString(), error });
  }
}
