/** The closing line of `npm test` (scripts/test-summary.mjs) from the runners' JSON reports. */
import { describe, expect, it } from 'vitest';
import { allPassed, closingLine, playwrightCounts, vitestCounts } from './test-summary.mjs';

const vitestReport = (over = {}) => ({
  numPassedTests: 1284,
  numFailedTests: 0,
  numPendingTests: 2,
  numTodoTests: 1,
  testResults: [
    { name: 'a.test.ts', status: 'passed', assertionResults: [{ status: 'passed' }] },
    { name: 'b.test.ts', status: 'passed', assertionResults: [{ status: 'passed' }] },
  ],
  ...over,
});

const ELECTRON_REASON =
  'no Electron binary on this machine (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1 because the binary comes from GitHub, which is not reachable here): Electron failed to install correctly';
const playwrightReport = {
  stats: { expected: 10, unexpected: 0, skipped: 11, flaky: 0 },
  suites: [
    {
      title: 'station.spec.ts',
      specs: [],
      suites: [
        {
          title: 'the line',
          specs: [
            { tests: [{ annotations: [{ type: 'skip', description: ELECTRON_REASON }] }] },
            { tests: [{ annotations: [{ type: 'skip', description: 'station web mode only: the desktop app has no station token' }] }] },
            { tests: [{ annotations: [] }] },
          ],
        },
      ],
    },
  ],
};

const ALL_OK = { lint: true, typecheckNode: true, typecheckWeb: true, build: true, security: true, vitest: true, playwright: true };

describe('the closing line', () => {
  it('counts vitest passes, failures and skips', () => {
    expect(vitestCounts(vitestReport())).toBe('1284 passed, 3 skipped');
    expect(vitestCounts(vitestReport({ numFailedTests: 2, numPendingTests: 0, numTodoTests: 0 }))).toBe('1284 passed, 2 failed');
  });

  it('says when a test file failed without a failed test (it did not load), instead of reading as all passed', () => {
    const r = vitestReport({ numPendingTests: 0, numTodoTests: 0 });
    r.testResults.push({ name: 'broken.test.ts', status: 'failed', assertionResults: [] });
    expect(vitestCounts(r)).toBe('1284 passed, 1 file failed to run');
  });

  it('counts Playwright results with the reasons for skips, the Electron one shortened', () => {
    expect(playwrightCounts(playwrightReport)).toBe('10 passed, 11 skipped (no Electron binary; station web mode only)');
  });

  it('is one line with every runner and the time', () => {
    expect(closingLine(ALL_OK, { vitest: vitestReport(), playwright: playwrightReport }, 312)).toBe(
      'tests: lint ok · typecheck ok · vitest 1284 passed, 3 skipped · security ok · playwright 10 passed, 11 skipped (no Electron binary; station web mode only) · 5 min 12 s',
    );
  });

  it('names what failed, and what could not run after a failed build', () => {
    const line = closingLine({ ...ALL_OK, typecheckWeb: false, build: false, security: undefined, playwright: undefined }, { vitest: undefined }, 61);
    expect(line).toBe('tests: lint ok · typecheck FAILED · vitest no report · build FAILED (no security scan, no Playwright) · 1 min 1 s');
  });

  it('passes only when every stage ran and passed', () => {
    expect(allPassed(ALL_OK)).toBe(true);
    expect(allPassed({ ...ALL_OK, playwright: undefined })).toBe(false);
    expect(allPassed({ ...ALL_OK, lint: false })).toBe(false);
  });
});
