/**
 * Benchmark: what keeping the station CA key in a PKCS#11 token costs a device certificate. The same StationCa
 * issue() — the leaf built and signed, as a run's identity step calls it — with the intermediate key in the sealed
 * file (WebCrypto in-process) and in a SoftHSM2 token (hash in Node, CKM_ECDSA through pkcs11js in the PKCS#11
 * worker thread). Issues alternate between the two, one at a time, so a busy moment on the machine falls on both
 * alike; then a burst of 64 at once (a hub's worth of gateways reaching the identity step together), which the
 * token's one session takes in turn.
 *
 * No target: the figures go into the issue note. SoftHSM2 is a software token; hardware tokens were not measured.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { checkCsr } from '../main/pki/csr';
import { initCa, openStationCa, type StationCa } from '../main/pki/station-ca';
import { makeCsr } from '../main/testing/pki';
import { createSoftHsmToken, SOFTHSM_SKIP } from '../main/testing/softhsm';

export interface Pkcs11BenchRow {
  key: 'file' | 'pkcs11';
  issues: number;
  medianMs: number;
  p95Ms: number;
  meanMs: number;
  /** 64 issues started at once: wall time of the burst. */
  burst64Ms: number;
}

const PASS = 'bench passphrase';
const SUBJECT = 'CN=GW-BENCH,O=Acme';

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};

export async function runPkcs11Bench(iterations: number): Promise<Pkcs11BenchRow[]> {
  const token = await createSoftHsmToken({ label: 'bench' });
  const work = await mkdtemp(join(tmpdir(), 'fieldline-bench-p11-'));
  const cas: Array<{ key: 'file' | 'pkcs11'; ca: StationCa; times: number[] }> = [];
  try {
    await initCa(join(work, 'file'), { passphrase: PASS });
    await initCa(join(work, 'token'), { pkcs11: { module: token.module, tokenLabel: token.label, pin: token.pin } });
    cas.push({ key: 'file', ca: await openStationCa(join(work, 'file'), PASS), times: [] });
    cas.push({ key: 'pkcs11', ca: await openStationCa(join(work, 'token'), token.pin), times: [] });
    const csr = await makeCsr(SUBJECT);
    const request = { publicKeySpki: (await checkCsr(csr.der, SUBJECT)).publicKeySpki, subject: SUBJECT, sans: ['DNS:gw-bench.example'], validityDays: 365 };

    for (let i = 0; i < 20; i++) for (const c of cas) await c.ca.issue(request);
    for (let i = 0; i < iterations; i++) {
      for (const c of cas) {
        const started = performance.now();
        await c.ca.issue(request);
        c.times.push(performance.now() - started);
      }
    }
    const rows: Pkcs11BenchRow[] = [];
    for (const c of cas) {
      const started = performance.now();
      await Promise.all(Array.from({ length: 64 }, () => c.ca.issue(request)));
      const burst64Ms = performance.now() - started;
      rows.push({
        key: c.key,
        issues: c.times.length,
        medianMs: quantile(c.times, 0.5),
        p95Ms: quantile(c.times, 0.95),
        meanMs: c.times.reduce((a, b) => a + b, 0) / c.times.length,
        burst64Ms,
      });
    }
    return rows;
  } finally {
    for (const c of cas) await c.ca.close();
    await token.remove();
    await rm(work, { recursive: true, force: true });
  }
}

export async function pkcs11Entry(options: { quick: boolean; json: boolean }): Promise<boolean> {
  const out = (text: string): boolean => process.stdout.write(text + '\n');
  if (SOFTHSM_SKIP) {
    out(options.json ? JSON.stringify({ bench: 'pkcs11', skipped: SOFTHSM_SKIP }) : `\nPKCS#11: skipped — ${SOFTHSM_SKIP}`);
    return true;
  }
  const iterations = options.quick ? 100 : 300;
  if (!options.json) out(`\nDevice certificate issue, CA key in the sealed file vs in a SoftHSM2 token (${iterations} issues each, alternating; then 64 at once)`);
  const rows = await runPkcs11Bench(iterations);
  const [file, token] = rows as [Pkcs11BenchRow, Pkcs11BenchRow];
  if (options.json) {
    for (const r of rows) out(JSON.stringify({ bench: 'pkcs11', ...r }));
    out(JSON.stringify({ bench: 'pkcs11-ratio', medianRatio: token.medianMs / file.medianMs }));
    return true;
  }
  for (const r of rows) {
    out(
      `${r.key.padEnd(7)} median ${r.medianMs.toFixed(3).padStart(7)} ms  p95 ${r.p95Ms.toFixed(3).padStart(7)} ms  mean ${r.meanMs.toFixed(3).padStart(7)} ms  ` +
        `(${Math.round(1000 / r.meanMs)} issues/s one at a time)  64 at once ${r.burst64Ms.toFixed(1).padStart(6)} ms`,
    );
  }
  out(`token ÷ file: median ${(token.medianMs / file.medianMs).toFixed(2)}×, burst of 64 ${(token.burst64Ms / file.burst64Ms).toFixed(2)}× (no target)`);
  return true;
}
