import { describe, expect, it } from 'vitest';
import { sampleRunRecord } from '../testing/run-records';
import { renderRunReport } from './report-html';

describe('run report (HTML)', () => {
  it('shows device, profile, firmware, certificate, each diagnostic with value and limits, and the outcome', () => {
    const record = sampleRunRecord();
    const html = renderRunReport(record);
    expect(html).toContain(record.device.serial);
    expect(html).toContain(`${record.profile.name} ${record.profile.version}`);
    if (record.certificate) expect(html).toContain(record.certificate.fingerprintSha256);
    for (const d of record.diagnostics) expect(html).toContain(d.name);
    expect(html).toContain(record.outcome.toUpperCase());
  });

  it('names the key that signed the firmware the run installed, and a dash when none was verified', () => {
    const keyHash = 'ab'.repeat(32);
    expect(renderRunReport({ ...sampleRunRecord(), firmwareSignedBy: { algorithm: 'ecdsa-p256', keyHash } })).toContain(
      `<th>Firmware signed by</th><td>ecdsa-p256 key, MCUboot key hash ${keyHash}</td>`,
    );
    expect(renderRunReport(sampleRunRecord())).toContain('<th>Firmware signed by</th><td>—</td>');
  });

  it('writes limits as people do (≤ 250 ms, -20 … 70 °C), never as JSON', () => {
    const record = sampleRunRecord();
    record.diagnostics = [
      { name: 'link-rtt', type: 'echo-rtt', passed: true, value: 3.2, limits: { max: 250 }, unit: 'ms', durationMs: 40 },
      { name: 'temperature', type: 'shell-number', passed: true, value: 41, limits: { pattern: 'temperature: ([-0-9.]+)', min: -20, max: 70 }, unit: 'C', durationMs: 9 },
    ];
    const html = renderRunReport(record);
    expect(html).toContain('≤ 250 ms');
    expect(html).toContain('-20 … 70 °C');
    expect(html).not.toContain('{&quot;max&quot;');
  });

  it('escapes everything that came from a device or a profile', () => {
    const record = sampleRunRecord();
    record.device.serial = '<script>alert(1)</script>';
    record.variables = { site: '"><img src=x onerror=alert(1)>' };
    const html = renderRunReport(record);
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;');
    expect(html).toMatch(/Content-Security-Policy" content="default-src 'none'/);
  });
});

describe('run report: rollback', () => {
  it('states what the device held after each action, and names a file left on the device', () => {
    const record = sampleRunRecord();
    record.outcome = 'failed';
    record.rollback = {
      startedAt: record.endedAt,
      endedAt: record.endedAt,
      actions: [
        { action: 'delete setting fieldline/site', target: 'fieldline/site', outcome: 'done', verified: 'not found', detail: 'deleted (did not exist before)' },
        {
          action: 'remove file /lfs/config/site.json',
          target: '/lfs/config/site.json',
          outcome: 'failed',
          verified: 'present, 64 bytes',
          leftOnDevice: true,
          detail: 'left on device (did not exist before): the device has no file-system shell',
        },
        // A record written before rollback read back: no verified state.
        { action: 'restore files', outcome: 'done', detail: '/lfs/config/site.json emptied (did not exist before)' },
      ],
    };
    const html = renderRunReport(record);
    expect(html).toContain('<th>Device holds now</th>');
    expect(html).toContain('<td class="mono">present, 64 bytes</td>');
    expect(html).toContain('<td class="mono">not found</td>');
    expect(html).toMatch(/Left on device: \/lfs\/config\/site\.json — the rollback could not remove it/);
    expect(html).toContain('<td class="mono">—</td>');
  });
});

describe('run report: a revoked certificate', () => {
  it('says REVOKED with when and why when the register says so, though the record does not', () => {
    // Saved before it was revoked (a repair or a replacement revoked it later): the record's flag is not set.
    const sample = sampleRunRecord();
    const record = { ...sample, certificate: { ...sample.certificate!, revoked: false } };
    const html = renderRunReport(record, { state: 'revoked', revokedAt: '2026-11-26T05:41:00.000Z', reason: 'rolled back: <diagnostics> failed' });
    expect(html).toContain('<p class="fail" id="certificate-revoked">This certificate is REVOKED on 2026-11-26T05:41:00.000Z — rolled back: &lt;diagnostics&gt; failed. It must not be trusted.</p>');
    expect(html).toContain('<th>Status</th><td>REVOKED on 2026-11-26T05:41:00.000Z — rolled back: &lt;diagnostics&gt; failed</td>');
  });

  it('says nothing of revocation for a certificate in service', () => {
    const sample = sampleRunRecord({ outcome: 'passed' });
    const html = renderRunReport({ ...sample, certificate: { ...sample.certificate!, revoked: false } }, { state: 'in-service' });
    expect(html).not.toContain('certificate-revoked');
    expect(html).toContain('<th>Status</th><td>valid</td>');
  });
});
