/**
 * SIGKILL of `fieldline provision` at each step boundary and inside each step, then the same command again on the
 * same gateway. The profile updates the firmware (1.0.0 → 1.1.0), so every step does real work: upload, test,
 * reset, CSR and install, settings and a file, diagnostics, confirm. A row passes when the second run passes, the
 * killed run is left `interrupted`, any certificate it issued is revoked, none is left `issued`, and the device ends
 * on the new image, confirmed. Each row uses a fresh gateway; 115200 baud, so a request spends real time on the line.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewaySession } from '../../main/device/session';
import { makeMcubootImage } from '../../main/device/mcuboot-image';
import { initCa, listRevoked } from '../../main/pki/station-ca';
import { readState } from '../../main/smp/groups/image';
import { openStore } from '../../main/store/store';
import { lastJsonLine, REPO_ROOT, runFieldline } from '../../main/testing/cli';
import { provisionKilledAt, type SmpRequestLine } from '../../main/testing/kill-provision';
import { spawnSimulator } from '../../main/testing/sim-process';
import type { ReliabilityProbe, ReliabilitySection } from './section';

const PASSPHRASE = 'reliability-kill-matrix';

interface KillPoint {
  step: string;
  indexInStep: number;
  label: string;
}

/** First, middle and last request of each step (every request of the identity step), from a reference run. */
function killPoints(reference: SmpRequestLine[], quick: boolean): KillPoint[] {
  const perStep = new Map<string, SmpRequestLine[]>();
  for (const r of reference) perStep.set(r.step, [...(perStep.get(r.step) ?? []), r]);
  const points: KillPoint[] = [];
  for (const [step, requests] of perStep) {
    const picks = step === 'identity' && !quick ? requests.map((_, i) => i) : [...new Set([0, Math.floor(requests.length / 2), requests.length - 1])];
    for (const i of picks) {
      const r = requests[i]!;
      const where = i === 0 ? 'boundary (first request)' : i === requests.length - 1 ? 'last request' : `inside (request ${i + 1} of ${requests.length})`;
      points.push({ step, indexInStep: i, label: `${step}: ${where}, ${r.group} ${r.command}` });
    }
  }
  return points;
}

async function activeImage(port: string): Promise<string> {
  const session = await GatewaySession.openSerial(port, { timeoutMs: 2000 });
  try {
    const active = (await readState(session.client)).find((s) => s.active);
    return active ? `${active.version}${active.confirmed ? ' confirmed' : ' UNCONFIRMED'}` : 'none';
  } finally {
    await session.close();
  }
}

export const killMatrixProbe: ReliabilityProbe = {
  name: 'kill',
  async run({ quick, log }): Promise<ReliabilitySection> {
    const work = await mkdtemp(join(tmpdir(), 'fieldline-rel-kill-'));
    const dataDir = join(work, 'data');
    const env = { FIELDLINE_DATA_DIR: dataDir, FIELDLINE_CA_PASSPHRASE: PASSPHRASE };
    try {
      await initCa(dataDir, { passphrase: PASSPHRASE });
      const image = makeMcubootImage({ version: '1.1.0', size: 8_000 });
      await writeFile(join(work, 'fw.bin'), image);
      const base = await readFile(join(REPO_ROOT, 'resources/profiles/gateway-eu.yaml'), 'utf8');
      const profile = join(work, 'gateway-fw.yaml');
      await writeFile(
        profile,
        base.replace('firmware:\n  minVersion: 1.0.0\n', `firmware:\n  minVersion: 1.1.0\n  image: fw.bin\n  sha256: ${createHash('sha256').update(image).digest('hex')}\n`),
      );

      const maxRows = 40;
      const sim = await spawnSimulator({ count: maxRows + 1, extra: ['--delay', 'reboot=200'], timeoutMs: 60_000 });
      try {
        const reference = await provisionKilledAt({ port: sim.gateways[0]!.port, profile, env, killAt: () => false });
        if (reference.exitCode !== 0) throw new Error(`the reference run failed:\n${reference.output.slice(-2000)}`);
        const points = killPoints(reference.requests, quick).slice(0, maxRows);
        log(`${reference.requests.length} requests in a full run; ${points.length} kill points`);
        const rows: string[][] = [];
        let failures = 0;
        for (const [i, point] of points.entries()) {
          const port = sim.gateways[i + 1]!.port;
          const killed = await provisionKilledAt({ port, profile, env, killAt: (r) => r.step === point.step && r.indexInStep === point.indexInStep });
          const recovery = await runFieldline(['provision', '--port', port, '--profile', profile, '--json'], env);
          const record = recovery.code === 0 || recovery.code === 1 ? (lastJsonLine(recovery.stdout) as { outcome?: string; previousRunId?: string; device?: { serial: string } }) : {};
          const store = openStore(dataDir);
          let killedRun;
          let orphans: number;
          try {
            killedRun = record.previousRunId ? store.getRun(record.previousRunId) : undefined;
            orphans = store.listCertificates({ state: 'issued', ...(record.device ? { deviceSerial: record.device.serial } : {}) }).length;
          } finally {
            store.close();
          }
          const revoked = new Set(listRevoked(dataDir).map((e) => e.serial));
          const cert = killedRun?.certificate;
          const certCell = !cert ? 'none issued' : revoked.has(cert.serial.toLowerCase()) ? 'revoked' : 'NOT REVOKED';
          const firmware = await activeImage(port);
          // A run is recorded once its device is known: one killed during identify has written nothing anywhere.
          const killedRunOk = point.step === 'identify' ? killedRun === undefined : killedRun?.outcome === 'interrupted';
          const ok = killed.killed && recovery.code === 0 && record.outcome === 'passed' && killedRunOk && certCell !== 'NOT REVOKED' && orphans === 0 && firmware === '1.1.0 confirmed';
          if (!ok) failures++;
          rows.push([point.label, killed.killed ? 'killed' : 'finished first', killedRun?.outcome ?? 'not recorded', certCell, String(orphans), record.outcome ?? `exit ${recovery.code}`, firmware, ok ? 'ok' : '**FAIL**']);
          log(`${point.label}: ${ok ? 'ok' : 'FAIL'}`);
        }
        return {
          title: 'SIGKILL at each step boundary and inside each step',
          summary:
            '`fieldline provision` (profile updating firmware 1.0.0 → 1.1.0, CSR identity, 5 settings, 1 file, 7 diagnostics) ' +
            'is SIGKILLed when its log shows the chosen request being sent, then run again on the same gateway. Expected: the ' +
            'second run passes, the killed run is `interrupted` (not recorded at all when killed during identify, which writes nothing), its certificate (if it got one) is revoked, no certificate is ' +
            'left `issued`, and the gateway runs 1.1.0 confirmed.',
          columns: ['kill point', 'first run', 'killed run after repair', 'its certificate', 'issued left', 'second run', 'device firmware', 'verdict'],
          rows,
          failures,
        };
      } finally {
        await sim.stop();
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  },
};
