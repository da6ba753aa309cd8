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
