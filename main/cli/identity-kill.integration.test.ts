/**
 * Write-ahead of the identity step (issue #11): `fieldline provision` SIGKILLed at random moments of the identity
 * step — among them the moment the certificate install request is on the wire — and then run again. Every second
 * run passes, and every certificate a killed run issued is revoked (`fieldline ca revoked`): none is left valid and
 * unknown. 20 kills, two at a time, each on a fresh gateway (115200 baud, so a request spends real time on the line).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withStoreOf } from '../testing/core-store';
import { lastJsonLine, REPO_ROOT, runFieldline, type CliRun } from '../testing/cli';
import { provisionKilledAt, type SmpRequestLine } from '../testing/kill-provision';
import { spawnSimulator, type SpawnedSimulator } from '../testing/sim-process';
import { createRng } from '../simulator/runtime/faults';

const PROFILE = join(REPO_ROOT, 'resources/profiles/gateway-eu.yaml');
const KILLS = Number(process.env['FIELDLINE_KILLS'] ?? 20);
const SEED = Number(process.env['FIELDLINE_KILL_SEED'] ?? 11);
/** The identity step's requests in csr mode: slot info, CSR, MCUmgr params (for the install size), install, sign. */
const IDENTITY_STEP_REQUESTS = 5;

let sim: SpawnedSimulator;
let dataDir: string;
const env = (): Record<string, string> => ({ FIELDLINE_DATA_DIR: dataDir, FIELDLINE_CA_PASSPHRASE: 'correct-horse-battery' });
const fieldline = (args: string[]): Promise<CliRun> => runFieldline(args, env());

/** Kills on the n-th request of the identity step. */
const killOnIdentityRequest =
  (n: number) =>
  (r: SmpRequestLine): boolean =>
    r.step === 'identity' && r.indexInStep === n;

interface Cycle {
  killedAt: string;
  killedRunId: string;
  recovery: CliRun;
}

async function killAndRecover(port: string, killAt: (r: SmpRequestLine) => boolean, extraDelayMs: number): Promise<Cycle> {
  const killed = await provisionKilledAt({ port, profile: PROFILE, env: env(), killAt, extraDelayMs });
  expect(killed.killed, `the run finished before the kill point (exit ${killed.exitCode}):\n${killed.output.slice(-1500)}`).toBe(true);
  const recovery = await fieldline(['provision', '--port', port, '--profile', PROFILE, '--json']);
  const record = lastJsonLine(recovery.stdout) as { previousRunId?: string };
  return { killedAt: `${killed.killedAt?.group} ${killed.killedAt?.command} +${extraDelayMs} ms`, killedRunId: record.previousRunId ?? '', recovery };
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'fieldline-kill-identity-'));
  // A fresh gateway for every kill: a passed recovery leaves a certificate in service, which the next kill's run
  // would (rightly) refuse to replace.
  sim = await spawnSimulator({ count: KILLS });
  const init = await fieldline(['ca', 'init', '--json']);
  expect(init.code, init.stderr).toBe(0);
});

afterAll(async () => {
  await sim?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('SIGKILL during the identity step (done-when of issue #11)', () => {
  it(`${KILLS} kills at random moments of the identity step, the first while the install request is on the wire: ${KILLS} recoveries, every issued certificate revoked`, { timeout: 400_000 }, async () => {
    const next = createRng(SEED);
    const plans = Array.from({ length: KILLS }, (_, i) =>
      i === 0
        ? { killAt: (r: SmpRequestLine) => r.step === 'identity' && r.group === 'IDENTITY' && r.command === 1, delay: 0 }
        : { killAt: killOnIdentityRequest(Math.floor(next() * IDENTITY_STEP_REQUESTS)), delay: Math.floor(next() * 20) },
    );
    // Two at a time, each on its own gateway.
    const cycles = await Promise.all(
      [0, 1].map(async (lane) => {
        const done: Cycle[] = [];
        for (let i = lane; i < plans.length; i += 2) done.push(await killAndRecover(sim.gateways[i]!.port, plans[i]!.killAt, plans[i]!.delay));
        return done;
      }),
    ).then((lanes) => lanes.flat());

    for (const c of cycles) {
      expect(c.recovery.code, `recovery after a kill at ${c.killedAt} (seed ${SEED}):\n${c.recovery.stderr}${c.recovery.stdout.slice(-2000)}`).toBe(0);
      expect(c.killedRunId, `the recovery run names the killed run it repaired (kill at ${c.killedAt})`).not.toBe('');
    }

    const revokedRun = await fieldline(['ca', 'revoked', '--json']);
    expect(revokedRun.code, revokedRun.stderr).toBe(0);
    const revoked = new Set(
      revokedRun.stdout
        .trim()
        .split('\n')
        .flatMap((l) => {
          const v = JSON.parse(l) as { serial?: string } | Array<{ serial: string }>;
          return Array.isArray(v) ? v.map((e) => e.serial) : v.serial ? [v.serial] : [];
        }),
    );
    const issued = await fieldline(['ca', 'issued', '--state', 'issued', '--json']);
    expect(issued.code, issued.stderr).toBe(0);
    expect(JSON.parse(issued.stdout), 'fieldline ca issued lists no certificate left issued').toEqual([]);
    await withStoreOf(dataDir, (store) => {
      let issuedBeforeKill = 0;
      for (const c of cycles) {
        const killedRun = store.getRun(c.killedRunId);
        expect(killedRun?.outcome).toBe('interrupted');
        if (!killedRun?.certificate) continue;
        issuedBeforeKill++;
        expect(revoked.has(killedRun.certificate.serial.toLowerCase()), `certificate of the run killed at ${c.killedAt}`).toBe(true);
      }
      // The install-on-the-wire kill issued one at least; the others issued one when they got past the CSR.
      expect(issuedBeforeKill).toBeGreaterThanOrEqual(1);
      expect(store.listCertificates({ state: 'issued' }), 'no certificate is left issued and unaccounted for').toEqual([]);
    });
  });
});
