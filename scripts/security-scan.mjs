#!/usr/bin/env node
/**
 * `npm run test:security`: Doyensec's electronegativity over the code that runs in Electron — main/electron,
 * preload, renderer (sources, not the bundled out/: bundling hides the BrowserWindow options) — against Electron
 * 41.7.1. Writes .reports/electronegativity.csv and .sarif, prints every finding, and exits 1 on any HIGH or
 * MEDIUM finding, or on a file it could not parse (a file it cannot read is a file it did not check).
 *
 * Why not `npx electronegativity`:
 *  - its CLI does not declare its `commander` dependency and crashes on the commander 14 this project installs
 *    (`_commander2.default.version is not a function`), so this script calls the same runner the CLI calls
 *    (dist/runner.js) with the same options (-i, -o, -e 41.7.1, -r);
 *  - it always exits 0, so the gate is here, on its findings;
 *  - it fetches translations from S3 and Electron's release list from GitHub. No traffic may leave this machine
 *    during tests: `got` (its only HTTP client) is replaced by a stub that fails at once, and a guard refuses any
 *    other DNS lookup or socket beyond loopback and counts it. Those two network-backed parts then fall back to
 *    their offline behaviour: bundled en-US messages, and no AVAILABLE_SECURITY_FIXES_GLOBAL_CHECK (which needs
 *    GitHub's release notes; Electron is pinned in package.json and updated deliberately instead).
 *
 * The three folders are copied into one staging folder with their repository paths, so one report names files as
 * `main/electron/window.ts`. Tests (*.test.*) are left out: they are not shipped and fake Electron on purpose.
 *
 *   node scripts/security-scan.mjs [--out DIR] [--json]
 */
import dns from 'node:dns';
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const ELECTRON_VERSION = '41.7.1';
export const SCANNED = ['main/electron', 'preload', 'renderer'];
const FAILING = new Set(['HIGH', 'MEDIUM']);

const args = process.argv.slice(2);
const outDir = args.includes('--out') ? args[args.indexOf('--out') + 1] : join(ROOT, '.reports');
const json = args.includes('--json');

// ---- no traffic beyond loopback ------------------------------------------------------------------------------
const blocked = [];
const isLoopback = (host) => host === 'localhost' || host === '::1' || /^127\./.test(host ?? '');
const originalLookup = dns.lookup;
dns.lookup = function guardedLookup(hostname, ...rest) {
  if (isLoopback(hostname)) return originalLookup.call(this, hostname, ...rest);
  blocked.push(`DNS lookup of ${hostname}`);
  const callback = rest.find((a) => typeof a === 'function');
  const err = Object.assign(new Error(`security-scan: network disabled (lookup of ${hostname})`), { code: 'ENOTFOUND' });
  if (callback) process.nextTick(callback, err);
};
const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...connectArgs) {
  const options = typeof connectArgs[0] === 'object' && connectArgs[0] !== null ? (Array.isArray(connectArgs[0]) ? connectArgs[0][0] : connectArgs[0]) : { port: connectArgs[0], host: connectArgs[1] };
  const host = options?.host ?? 'localhost';
  if (options?.path !== undefined || isLoopback(host)) return originalConnect.apply(this, connectArgs);
  blocked.push(`connection to ${host}:${options?.port}`);
  process.nextTick(() => this.destroy(new Error(`security-scan: network disabled (connection to ${host})`)));
  return this;
};

const pkgRequire = createRequire(join(ROOT, 'package.json'));
const enDir = dirname(pkgRequire.resolve('@doyensec/electronegativity/package.json'));
const enRequire = createRequire(join(enDir, 'dist', 'runner.js'));
const gotPath = enRequire.resolve('got');
const stubbed = [];
const offline = (url) => {
  stubbed.push(String(url?.href ?? url).replace(/^(https?:\/\/[^/]+).*$/, '$1'));
  return Promise.reject(Object.assign(new Error('security-scan: network disabled'), { code: 'ENETUNREACH' }));
};
const gotStub = Object.assign(offline, { head: offline, get: offline, __esModule: true });
gotStub.default = gotStub;
enRequire.cache[gotPath] = { id: gotPath, filename: gotPath, loaded: true, exports: gotStub, children: [], paths: [] };

// ---- stage the sources -----------------------------------------------------------------------------------------
async function stage() {
  const dir = await mkdtemp(join(tmpdir(), 'fieldline-electronegativity-'));
  for (const folder of SCANNED) {
    await cp(join(ROOT, folder), join(dir, folder), {
      recursive: true,
      filter: (src) => !/\.(test|spec)\.[cm]?[jt]sx?$/.test(src) && !src.split(sep).includes('node_modules'),
    });
  }
  return dir;
}

async function listFiles(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(relative(dir, join(entry.parentPath ?? entry.path, entry.name)));
  }
  return out.sort();
}

function row(issue) {
  return {
    id: issue.id,
    severity: issue.severity?.name ?? String(issue.severity),
    confidence: issue.confidence?.name ?? String(issue.confidence),
    file: issue.file,
    line: issue.location?.line ?? 0,
    column: issue.location?.column ?? 0,
    manualReview: Boolean(issue.manualReview),
    description: issue.description,
  };
}

async function main() {
  const staged = await stage();
  try {
    const files = await listFiles(staged);
    const run = enRequire('./runner.js');
    const base = {
      input: staged,
      customScan: [],
      excludeFromScan: [],
      isRelative: true,
      isVerbose: true,
      electronUpgrade: undefined,
      electronVersionOverride: ELECTRON_VERSION,
      parserPlugins: [],
    };
    await mkdir(outDir, { recursive: true });
    // Two runs write the two formats (the runner writes one file per run); the findings are the same.
    const csvFile = join(outDir, 'electronegativity.csv');
    const sarifFile = join(outDir, 'electronegativity.sarif');
    const quiet = console.log;
    const chatter = [];
    console.log = (...a) => chatter.push(a.join(' '));
    let result;
    try {
      result = await run({ ...base, output: csvFile, isSarif: false });
      await run({ ...base, output: sarifFile, isSarif: true });
    } finally {
      console.log = quiet;
    }
    const findings = result.issues.map(row).sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
    const failing = findings.filter((f) => FAILING.has(f.severity));
    const parseErrors = result.errors.filter((e) => !e.tolerable).map((e) => ({ file: relative(staged, e.file), message: e.message }));
    const summary = {
      electron: ELECTRON_VERSION,
      scanned: SCANNED,
      files: files.length,
      checks: result.globalChecks + result.atomicChecks,
      findings: findings.length,
      failing: failing.length,
      parseErrors: parseErrors.length,
      networkRequestsStubbed: stubbed,
      networkAttemptsBlocked: blocked,
      reports: [relative(ROOT, csvFile), relative(ROOT, sarifFile)],
    };
    await writeFile(join(outDir, 'electronegativity.json'), JSON.stringify({ summary, findings, parseErrors }, null, 2) + '\n');

    if (json) {
      process.stdout.write(JSON.stringify({ summary, findings, parseErrors }) + '\n');
    } else {
      const lines = [
        `electronegativity ${enRequire('../package.json').version}: ${summary.checks} checks over ${files.length} files in ${SCANNED.join(', ')} (Electron ${ELECTRON_VERSION})`,
      ];
      for (const f of findings) {
        lines.push(`  ${FAILING.has(f.severity) ? '✗' : '·'} ${f.severity.padEnd(13)} ${f.confidence.padEnd(9)} ${f.id}  ${f.file}:${f.line}:${f.column}${f.manualReview ? '  (review)' : ''}`);
      }
      for (const e of parseErrors) lines.push(`  ✗ could not parse ${e.file}: ${e.message}`);
      lines.push(
        `network: ${stubbed.length} request(s) answered offline in-process (${[...new Set(stubbed)].join(', ') || 'none'});` +
          ` ${blocked.length === 0 ? 'no other DNS lookup or connection attempted' : `${blocked.length} other attempt(s) refused — ${[...new Set(blocked)].join('; ')}`}`,
      );
      lines.push(`reports: ${summary.reports.join(', ')}`);
      lines.push(
        failing.length === 0 && parseErrors.length === 0
          ? `passed: no HIGH or MEDIUM finding (${findings.length} low/informational)`
          : `FAILED: ${failing.length} HIGH/MEDIUM finding(s), ${parseErrors.length} file(s) not parsed`,
      );
      process.stdout.write(lines.join('\n') + '\n');
    }
    return failing.length === 0 && parseErrors.length === 0 ? 0 : 1;
  } finally {
    await rm(staged, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`security scan failed to run: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(2);
  },
);
