#!/usr/bin/env node
/**
 * `npm test`: every gate, then one closing line with every runner's counts, e.g.
 *   tests: lint ok · typecheck ok · vitest 1324 passed · security ok · playwright 10 passed, 11 skipped (no Electron binary) · 5 min 12 s
 * Exit 1 when any stage failed; every stage runs even so, so one run shows everything that is wrong.
 *
 * Order and overlap, on a two-core machine:
 *   1. the build (electron-vite, once: the security scan and Playwright share it);
 *   2. Playwright on it — mostly waiting on Chromium and the demo station, on events with long timeouts — beside lint,
 *      both type-checks and the security scan, which run two at a time (each is mostly one thread);
 *   3. vitest (two workers) as soon as those static checks end, beside what is left of Playwright.
 * Output of the overlapped stages is printed whole as each ends; vitest prints as it goes.
 * Reports: .reports/vitest.json, .reports/playwright.json (and the security scan's in .reports/).
 *
 *   node scripts/test.mjs        (npm test)
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allPassed, closingLine } from './test-summary.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const REPORTS = join(ROOT, '.reports');
const VITEST_JSON = join(REPORTS, 'vitest.json');
const PLAYWRIGHT_JSON = join(REPORTS, 'playwright.json');
const bin = (name) => join(ROOT, 'node_modules/.bin', name);
/**
 * tsc's arguments for one project. Incremental: tsc keeps each file's hash and what depends on it in a build-info file
 * (under node_modules/.cache, so `npm ci` starts afresh) and re-checks only what a change can affect — the same
 * errors as a full check, in a few seconds instead of a minute on a repeated run.
 */
const typecheck = (project) => ['-p', `tsconfig.${project}.json`, '--noEmit', '--incremental', '--tsBuildInfoFile', join(ROOT, `node_modules/.cache/fieldline-tsc/${project}.tsbuildinfo`)];

/**
 * Runs one command from the repository root. `live`: its output goes straight to ours; otherwise it is kept and
 * printed in one piece when it ends (two overlapped stages must not interleave their lines).
 * @returns {Promise<boolean>} whether it exited 0
 */
function run(label, command, args, { live = false, env = {} } = {}) {
  return new Promise((resolve) => {
    const startedAt = Date.now();
    if (live) process.stdout.write(`\n── ${label}\n`);
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: live ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (b) => (output += b));
    child.stderr?.on('data', (b) => (output += b));
    const end = (ok, why = '') => {
      const seconds = ((Date.now() - startedAt) / 1000).toFixed(0);
      if (!live) process.stdout.write(`\n── ${label}\n${output}`);
      process.stdout.write(`── ${label}: ${ok ? 'ok' : `FAILED${why}`} (${seconds} s)\n`);
      resolve(ok);
    };
    child.once('error', (err) => end(false, `: ${err.message}`));
    child.once('close', (code, signal) => end(code === 0, signal ? ` (${signal})` : ` (exit ${code})`));
  });
}

/** Runs the jobs (functions answering a promise) at most `limit` at a time, in order. */
async function pool(limit, jobs) {
  const queue = [...jobs];
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) await job();
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

const started = Date.now();
mkdirSync(REPORTS, { recursive: true });
// A report left from an earlier run must not be counted as this run's.
for (const file of [VITEST_JSON, PLAYWRIGHT_JSON]) rmSync(file, { force: true });
/** @type {Record<string, boolean | undefined>} */
const status = {};

// 1. The build.
status.build = await run('build (electron-vite)', bin('electron-vite'), ['build', '--logLevel', 'warn']);

// 2. The UI in Chromium (and Electron where its binary exists) on that build, beside the static checks; 3. vitest as
// soon as the static checks are done, beside the rest of Playwright (which mostly waits on its browser and station).
const playwright = status.build
  ? run('playwright', bin('playwright'), ['test', '-c', 'e2e/playwright.config.ts', '--reporter=list,json'], { env: { PLAYWRIGHT_JSON_OUTPUT_NAME: PLAYWRIGHT_JSON } }).then(
      (ok) => (status.playwright = ok),
    )
  : undefined;
await pool(2, [
  async () => (status.typecheckNode = await run('typecheck (tsconfig.node.json)', bin('tsc'), typecheck('node'))),
  async () => (status.lint = await run('lint', bin('eslint'), ['--max-warnings', '0', '.'])),
  async () => (status.typecheckWeb = await run('typecheck (tsconfig.web.json)', bin('tsc'), typecheck('web'))),
  async () => {
    if (!status.build) return;
    const scan = await run('security scan', process.execPath, ['scripts/security-scan.mjs']);
    const bundle = await run('renderer bundle check', process.execPath, ['scripts/check-renderer-bundle.mjs']);
    status.security = scan && bundle;
  },
]);

// Unit, integration and CLI tests.
status.vitest = await run('vitest', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${VITEST_JSON}`], { live: true });
await playwright;

const seconds = Math.round((Date.now() - started) / 1000);
process.stdout.write(`\n${closingLine(status, { vitest: readJson(VITEST_JSON), playwright: readJson(PLAYWRIGHT_JSON) }, seconds)}\n`);
process.exitCode = allPassed(status) ? 0 : 1;
