/**
 * The counts of `npm test`'s closing line (scripts/test.mjs), read from the runners' JSON reports.
 */

/** "1324 passed, 2 failed, 3 skipped" from vitest's JSON report (undefined: no report). */
export function vitestCounts(r) {
  if (!r) return 'no report';
  const parts = [`${r.numPassedTests} passed`];
  if (r.numFailedTests) parts.push(`${r.numFailedTests} failed`);
  const skipped = r.numPendingTests + r.numTodoTests;
  if (skipped) parts.push(`${skipped} skipped`);
  // A file that failed to load has no tests to count: say so, or the line would read as all passed.
  const withFailures = new Set(r.testResults.filter((f) => f.assertionResults.some((a) => a.status === 'failed')).map((f) => f.name));
  const broken = r.testResults.filter((f) => f.status === 'failed' && !withFailures.has(f.name)).length;
  if (broken > 0) parts.push(`${broken} file${broken === 1 ? '' : 's'} failed to run`);
  return parts.join(', ');
}

/** "10 passed, 11 skipped (no Electron binary)" from Playwright's JSON report, with the skip reasons it gives. */
export function playwrightCounts(r) {
  if (!r?.stats) return 'no report';
  const { expected, unexpected, skipped, flaky } = r.stats;
  const reasons = new Set();
  const visit = (suite) => {
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) {
        for (const a of test.annotations ?? []) if (a.type === 'skip' && a.description) reasons.add(shortReason(a.description));
      }
    }
    for (const child of suite.suites ?? []) visit(child);
  };
  for (const suite of r.suites ?? []) visit(suite);
  const parts = [`${expected} passed`];
  if (unexpected) parts.push(`${unexpected} failed`);
  if (flaky) parts.push(`${flaky} flaky`);
  if (skipped) parts.push(`${skipped} skipped${reasons.size ? ` (${[...reasons].join('; ')})` : ''}`);
  return parts.join(', ');
}

/** A skip reason short enough for the closing line: its first clause (e2e/electron-binary.ts's, as three words). */
function shortReason(text) {
  const first = text.split(/[:.;(]/)[0].trim();
  return /electron/i.test(first) && /\b(no|not)\b/i.test(first) ? 'no Electron binary' : first;
}

/**
 * The closing line. `status`: each stage's result (undefined: not run); `reports`: the parsed JSON reports.
 */
export function closingLine(status, reports, seconds) {
  const word = (ok) => (ok ? 'ok' : 'FAILED');
  const parts = [
    `lint ${word(status.lint)}`,
    `typecheck ${word(status.typecheckNode && status.typecheckWeb)}`,
    `vitest ${vitestCounts(reports.vitest)}${status.vitest ? '' : ' — FAILED'}`,
    status.build ? `security ${word(status.security)}` : 'build FAILED (no security scan, no Playwright)',
    ...(status.build ? [`playwright ${playwrightCounts(reports.playwright)}${status.playwright ? '' : ' — FAILED'}`] : []),
    `${Math.floor(seconds / 60)} min ${seconds % 60} s`,
  ];
  return `tests: ${parts.join(' · ')}`;
}

/** Whether every stage passed. */
export function allPassed(status) {
  return ['lint', 'typecheckNode', 'typecheckWeb', 'build', 'security', 'vitest', 'playwright'].every((stage) => status[stage] === true);
}
