/**
 * What `fieldline batch` prints: each event of its line session as a JSON line (--json, on stdout) or a line of text
 * (on stderr, so stdout holds only the summary), and the closing summary. Rendering only: the line service
 * (main/core/line.ts) runs the batch.
 */
import type { RunRecord } from '../contract/run-record';
import type { LineEvent } from '../core/line';
import { kpis } from '../station/kpi';

/** One event, both ways: the JSON object and the text line. Undefined: this event is not shown. */
export interface Rendered {
  json?: Record<string, unknown>;
  text?: string;
}

/**
 * The summary object: counts (rework runs apart from first-pass runs) plus the failed runs as {serial, step, error}.
 * Units/hour is over the batch's elapsed time, and only once it means something (main/station/kpi.ts).
 */
export function summaryJson(records: RunRecord[], elapsedMs?: number): Record<string, unknown> {
  const k = kpis(records, elapsedMs !== undefined ? { elapsedMs } : {});
  const failedRuns = records
    .filter((r) => r.outcome !== 'passed' && r.outcome !== 'running')
    .map((r) => ({ serial: r.device.serial, port: r.device.port, outcome: r.outcome, step: r.steps.find((s) => s.outcome === 'failed')?.name ?? 'none', error: r.error ?? null }));
  return {
    event: 'summary',
    runs: k.units,
    passed: k.passed,
    failed: failedRuns.length,
    unitsPerHour: k.unitsPerHour ?? null,
    firstPassYield: k.firstPassYield ?? null,
    firstPassRuns: k.firstPassUnits,
    rework: { runs: k.rework.units, passed: k.rework.passed, failed: k.rework.failed, yield: k.rework.yield ?? null },
    cycleTimeMeanMs: k.cycleTimeMeanMs ?? null,
    failuresByStep: k.failuresByStep.map((f) => ({ step: f.step, count: f.count })),
    failedRuns,
  };
}

export function summaryText(s: Record<string, unknown>): string {
  const pct = (v: unknown): string => (typeof v === 'number' ? `${(v * 100).toFixed(1)} %` : '—');
  const lines = [
    `batch: ${String(s.runs)} runs, ${String(s.passed)} passed, ${String(s.failed)} failed`,
    `  units/hour ${typeof s.unitsPerHour === 'number' ? s.unitsPerHour.toFixed(1) : '—'}, first-pass yield ${pct(s.firstPassYield)}`,
  ];
  const rework = s.rework as { runs: number; passed: number; failed: number; yield: number | null };
  if (rework.runs > 0) lines.push(`  rework: ${rework.runs} runs, ${rework.passed} passed, ${rework.failed} failed (yield ${pct(rework.yield)})`);
  for (const f of s.failuresByStep as Array<{ step: string; count: number }>) lines.push(`  failures at ${f.step}: ${f.count}`);
  for (const f of s.failedRuns as Array<{ serial: string; port: string; step: string; error: { message: string } | null }>) {
    lines.push(`  ✗ ${f.serial || f.port} at ${f.step}${f.error ? `: ${f.error.message}` : ''}`);
  }
  return lines.join('\n');
}

function runEnd(port: string, record: RunRecord): Rendered {
  const step = record.steps.find((s) => s.outcome === 'failed')?.name;
  const existing = record.steps.find((s) => s.name === 'identity')?.evidence.existing;
  const identity = existing === 'kept' || existing === 'replaced' ? existing : undefined;
  return {
    json: {
      event: 'run-end',
      port,
      runId: record.id,
      serial: record.device.serial,
      outcome: record.outcome,
      rework: record.rework === true,
      ...(identity ? { identity } : {}),
      ...(record.certificate ? { certificate: record.certificate.serial } : {}),
      ...(step ? { step } : {}),
      ...(record.error ? { error: record.error } : {}),
    },
    text: `${port}: ${record.device.serial || '?'} ${record.outcome.toUpperCase()}${record.rework ? ' (rework)' : ''}${identity ? `, identity ${identity}` : ''}${step ? ` at ${step}` : ''}${record.error ? ` — ${record.error.message}` : ''}`,
  };
}

/** A line event as the batch prints it (the line's own bookkeeping events are not shown). */
export function renderLineEvent(event: LineEvent): Rendered {
  switch (event.type) {
    case 'slot': {
      const { slot } = event;
      return {
        json: { event: 'slot', ...slot },
        text: `${slot.port}: ${slot.state}${slot.previous ? ` earlier (run ${slot.runId ?? '?'}; not provisioned again)` : ''}${slot.awaitingScan ? ' (scan its label)' : slot.queued ? ' (queued)' : ''}${slot.gone ? ' (gone)' : ''}`,
      };
    }
    case 'scan': {
      const { scan } = event;
      return {
        json: { event: 'scan', ...scan },
        text: `scan: ${scan.binding.kind === 'serial' ? `serial ${scan.binding.value}` : `${scan.binding.name}=${scan.binding.value}`} → ${scan.slot === 'next' ? 'next gateway' : scan.slot}`,
      };
    }
    case 'run-start': {
      const { port, runId, bindings } = event;
      return {
        json: { event: 'run-start', port, runId, ...(bindings?.serial !== undefined ? { expectedSerial: bindings.serial } : {}), ...(bindings?.variables ? { scannedVariables: bindings.variables } : {}) },
        text: `${port}: run ${runId} started${bindings?.serial !== undefined ? ` (label ${bindings.serial})` : ''}`,
      };
    }
    case 'step':
      // A step starting, and what it is doing, are JSON lines only: in text, its end says all.
      if (event.state === 'running' && event.message !== undefined) return { json: { event: 'step-message', port: event.port, runId: event.runId, step: event.step, message: event.message } };
      if (event.state === 'running') return { json: { event: 'step-start', port: event.port, step: event.step } };
      return {
        json: { event: 'step-end', port: event.port, step: event.step, outcome: event.state, ...(event.error ? { error: event.error } : {}) },
        text: `  ${event.port}: ${event.state === 'passed' ? '✓' : '✗'} ${event.step}${event.error ? ` — ${event.error.message}` : ''}`,
      };
    case 'run-end':
      return runEnd(event.port, event.record);
    case 'progress':
      // Several gateways at once would garble one redrawn bar: progress is a JSON line only.
      return { json: { event: 'progress', port: event.port, runId: event.runId, step: event.step, ...event.progress } };
    case 'label': {
      const { port, runId, label } = event;
      return {
        json: { event: 'label', port, runId, ...label },
        text: label.error ? `${port}: label not printed — ${label.error.message}` : `${port}: label printed on ${label.target ?? '?'}`,
      };
    }
    case 'run-device':
      return {};
  }
}
