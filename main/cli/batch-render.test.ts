/**
 * What `fieldline batch` prints for each line event: the JSON lines a MES reads (their names and fields are the
 * batch's interface, kept from before the batch ran on the line service) and the text a technician reads.
 */
import { describe, expect, it } from 'vitest';
import { sampleRunRecord } from '../testing/run-records';
import { renderLineEvent, summaryJson, summaryText } from './batch-render';

const RUN = '5d7c1a52-0000-4000-8000-000000000001';

describe('batch rendering', () => {
  it('renders slots, scans, run starts and step ends as the batch always printed them', () => {
    expect(renderLineEvent({ type: 'slot', slot: { port: '/p/GW1', state: 'passed', previous: true, runId: RUN, serial: 'GW1', outcome: 'passed' } })).toEqual({
      json: { event: 'slot', port: '/p/GW1', state: 'passed', previous: true, runId: RUN, serial: 'GW1', outcome: 'passed' },
      text: `/p/GW1: passed earlier (run ${RUN}; not provisioned again)`,
    });
    expect(renderLineEvent({ type: 'slot', slot: { port: '/p/GW2', state: 'provisioning', awaitingScan: true, queued: true } }).text).toBe('/p/GW2: provisioning (scan its label)');
    expect(renderLineEvent({ type: 'scan', scan: { slot: 'next', binding: { kind: 'variable', name: 'site', value: 'HAM-7' }, at: '2026-12-07T06:00:00.000Z' } })).toEqual({
      json: { event: 'scan', slot: 'next', binding: { kind: 'variable', name: 'site', value: 'HAM-7' }, at: '2026-12-07T06:00:00.000Z' },
      text: 'scan: site=HAM-7 → next gateway',
    });
    expect(renderLineEvent({ type: 'run-start', port: '/p/GW1', runId: RUN, bindings: { serial: 'GW1', variables: { site: 'HAM-7' } } })).toEqual({
      json: { event: 'run-start', port: '/p/GW1', runId: RUN, expectedSerial: 'GW1', scannedVariables: { site: 'HAM-7' } },
      text: `/p/GW1: run ${RUN} started (label GW1)`,
    });
    // A step starting is a JSON line only.
    expect(renderLineEvent({ type: 'step', port: '/p/GW1', runId: RUN, step: 'identify', state: 'running' })).toEqual({ json: { event: 'step-start', port: '/p/GW1', step: 'identify' } });
    const error = { code: 'DIAGNOSTICS_FAILED', message: 'selftest: FAIL' };
    expect(renderLineEvent({ type: 'step', port: '/p/GW1', runId: RUN, step: 'diagnostics', state: 'failed', error })).toEqual({
      json: { event: 'step-end', port: '/p/GW1', step: 'diagnostics', outcome: 'failed', error },
      text: '  /p/GW1: ✗ diagnostics — selftest: FAIL',
    });
    // What a running step is doing, and the upload's progress, are JSON lines with the gateway's port and run.
    expect(renderLineEvent({ type: 'step', port: '/p/GW1', runId: RUN, step: 'firmware', state: 'running', message: 'waiting: reboot into the new image' })).toEqual({
      json: { event: 'step-message', port: '/p/GW1', runId: RUN, step: 'firmware', message: 'waiting: reboot into the new image' },
    });
    const progress = { op: 'image upload', done: 4096, total: 65536, bytesPerSecond: 20480, etaSeconds: 3 };
    expect(renderLineEvent({ type: 'progress', port: '/p/GW1', runId: RUN, step: 'firmware', progress })).toEqual({
      json: { event: 'progress', port: '/p/GW1', runId: RUN, step: 'firmware', ...progress },
    });
    // The line's own bookkeeping is not shown.
    expect(renderLineEvent({ type: 'run-device', port: '/p/GW1', runId: RUN, deviceId: 'serial:/p/GW1' })).toEqual({});
  });

  it('renders a run end with its rework, identity, certificate, failed step and error, and a summary that counts it', () => {
    const record = sampleRunRecord({ id: RUN, serial: 'GW1', outcome: 'failed' });
    record.rework = true;
    record.steps = record.steps.map((s) => (s.name === 'identity' ? { ...s, evidence: { ...s.evidence, existing: 'kept' } } : s.name === 'diagnostics' ? { ...s, outcome: 'failed' } : s));
    record.error = { code: 'DIAGNOSTICS_FAILED', message: 'selftest: FAIL' };
    const rendered = renderLineEvent({ type: 'run-end', port: '/p/GW1', record });
    expect(rendered.json).toEqual({
      event: 'run-end',
      port: '/p/GW1',
      runId: RUN,
      serial: 'GW1',
      outcome: 'failed',
      rework: true,
      identity: 'kept',
      certificate: record.certificate!.serial,
      step: 'diagnostics',
      error: record.error,
    });
    expect(rendered.text).toBe('/p/GW1: GW1 FAILED (rework), identity kept at diagnostics — selftest: FAIL');
    const summary = summaryJson([record], 60_000);
    expect(summary).toMatchObject({ event: 'summary', runs: 1, passed: 0, failed: 1, rework: { runs: 1, failed: 1 }, failuresByStep: [{ step: 'diagnostics', count: 1 }] });
    expect(summaryText(summary)).toContain('✗ GW1 at diagnostics: selftest: FAIL');
  });

  it('says where a passing unit’s label went, or why it did not print', () => {
    expect(renderLineEvent({ type: 'label', port: '/p/GW1', runId: RUN, label: { target: 'printer:10.0.0.9:9100', bytes: 812 } })).toEqual({
      json: { event: 'label', port: '/p/GW1', runId: RUN, target: 'printer:10.0.0.9:9100', bytes: 812 },
      text: '/p/GW1: label printed on printer:10.0.0.9:9100',
    });
    expect(renderLineEvent({ type: 'label', port: '/p/GW1', runId: RUN, label: { error: { code: 'PRINTER_UNREACHABLE', message: 'connection refused' } } }).text).toBe('/p/GW1: label not printed — connection refused');
  });
});
