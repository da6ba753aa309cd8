import { describe, expect, it } from 'vitest';
import { shownOutput } from './shell';

// The virtual gateway's `diag selftest` with the flash check failing, as Zephyr's shell prints it.
const FAILED_SELFTEST = [
  'ram: PASS',
  'flash: FAIL (verify error at 0x000f8000)',
  'crypto: PASS',
  'rtc: PASS',
  'selftest: FAIL (1 of 4 checks failed)',
  '',
].join('\n');

describe('which output a shell-match diagnostic shows', () => {
  it('shows the line that failed the pattern, not the first line', () => {
    expect(shownOutput(FAILED_SELFTEST, '^selftest: PASS$')).toBe('selftest: FAIL (1 of 4 checks failed)');
  });

  it('shows the line that matched when the pattern matched', () => {
    expect(shownOutput(FAILED_SELFTEST.replace('selftest: FAIL (1 of 4 checks failed)', 'selftest: PASS'), '^selftest: PASS$')).toBe('selftest: PASS');
  });

  it('shows a short output whole', () => {
    expect(shownOutput('modem: no SIM\nsignal: -\n', '^modem: ready$')).toBe('modem: no SIM | signal: -');
  });

  it('shows the last line when no line resembles the pattern', () => {
    expect(shownOutput(FAILED_SELFTEST, '^[0-9]+ checks$')).toBe('selftest: FAIL (1 of 4 checks failed)');
  });

  it('keeps what it shows short', () => {
    expect(shownOutput(`${'x'.repeat(500)}\n`.repeat(5), '^ok$').length).toBeLessThanOrEqual(200);
  });
});
