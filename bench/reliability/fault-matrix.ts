/**
 * Each simulator fault (`fieldline sim --fault`) against a provisioning run that updates firmware, and what the
 * device holds afterwards, read back over SMP — so the table shows whether the run record told the truth:
 * a passed run must leave the new image confirmed, the record's certificate in the slot and no drift; a failed run
 * must leave the old image confirmed, the identity slot empty, the settings as before and its certificate revoked;
 * an interrupted run must be repaired by the device's next run. Random faults run on three gateways with one seed.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewaySession } from '../../main/device/session';
import { makeMcubootImage } from '../../main/device/mcuboot-image';
import { readConfiguration } from '../../main/device/read-config';
import { initCa, listRevoked, openStationCa } from '../../main/pki/station-ca';
import { loadProfile, type LoadedProfile } from '../../main/profiles/load';
import { checkDrift } from '../../main/provisioning/drift';
import type { RunRecord } from '../../main/contract/run-record';
import { runProvisioning } from '../../main/provisioning/runner';
import { systemRunInputs } from '../../main/testing/run-inputs';
import type { Snapshot } from '../../main/provisioning/context';
import { identityInfo } from '../../main/smp/groups/identity';
import { readState } from '../../main/smp/groups/image';
import { openStore, type SqliteStore } from '../../main/store/store';
import type { Signer } from '../../main/pki/types';
import { REPO_ROOT } from '../../main/testing/cli';
import { spawnSimulator } from '../../main/testing/sim-process';
import type { ReliabilityProbe, ReliabilitySection } from './section';

const PASSPHRASE = 'reliability-fault-matrix';

interface FaultCase {
  spec: string;
  /** Outcomes the product promises for this fault. */
  allowed: RunRecord['outcome'][];
  /** The device comes back (so a second run can repair an interrupted one). */
  comesBack: boolean;
}

const CASES: FaultCase[] = [
  { spec: 'drop-request:p=0.05', allowed: ['passed'], comesBack: true },
  { spec: 'drop-reply:p=0.05', allowed: ['passed'], comesBack: true },
  { spec: 'corrupt-reply:p=0.05', allowed: ['passed'], comesBack: true },
  { spec: 'duplicate-reply:p=0.2', allowed: ['passed'], comesBack: true },
  { spec: 'delay-reply:ms=1500,p=0.1', allowed: ['passed'], comesBack: true },
  { spec: 'reboot-mid-upload:at=4096', allowed: ['passed', 'failed'], comesBack: true },
  { spec: 'fail-diag:name=selftest', allowed: ['failed'], comesBack: true },
  { spec: 'disconnect:after=40,back=1500', allowed: ['interrupted'], comesBack: true },
  { spec: 'disconnect:after=40', allowed: ['interrupted'], comesBack: false },
];
const RANDOM_REPEATS = 3;

/** The unplugged gateway's port path comes back when the simulator plugs it in again. */
async function waitForPath(path: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`${path} did not come back within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface DeviceState {
  firmware: string;
  slotFingerprint: string | null;
  settings: Record<string, string | null>;
}

const hex = (b: Uint8Array | undefined): string | null => (b === undefined ? null : Buffer.from(b).toString('hex'));

async function readDevice(port: string, names: string[]): Promise<DeviceState> {
  const session = await GatewaySession.openSerial(port, { timeoutMs: 2000 });
  try {
    const active = (await readState(session.client)).find((s) => s.active);
    const info = await identityInfo(session.client, 0);
    const config = await readConfiguration(session, names, []);
    return {
      firmware: active ? `${active.version}${active.confirmed ? '' : ' unconfirmed'}` : 'none',
      slotFingerprint: info.cert ? createHash('sha256').update(info.cert).digest('hex') : null,
      settings: Object.fromEntries([...config.settings].map(([k, v]) => [k, hex(v)])),
    };
  } finally {
    await session.close();
  }
}

async function driftCount(port: string, profile: LoadedProfile, store: SqliteStore): Promise<number> {
  const session = await GatewaySession.openSerial(port, { timeoutMs: 2000 });
  try {
    return (await checkDrift({ session, profile, store, station: { name: 'reliability' }, variables: {} })).report.differences.length;
  } finally {
    await session.close();
  }
}

/** What the record says against what the device holds; '' when they agree. */
async function verdict(record: RunRecord, port: string, profile: LoadedProfile, store: SqliteStore, revoked: Set<string>): Promise<{ device: string; problem: string }> {
  const snapshot = record.steps.find((s) => s.name === 'identify')?.evidence['snapshot'] as Snapshot | undefined;
  const names = Object.keys(snapshot?.settings ?? {});
  const state = await readDevice(port, names);
  const certRevoked = record.certificate ? revoked.has(record.certificate.serial.toLowerCase()) : undefined;
  const device = `fw ${state.firmware}; slot ${state.slotFingerprint ? state.slotFingerprint.slice(0, 8) : 'empty'}; cert ${record.certificate ? (certRevoked ? 'revoked' : 'valid') : 'none'}`;
  if (record.outcome === 'passed') {
    if (state.firmware !== '1.1.0') return { device, problem: 'passed but the new image is not confirmed' };
    if (state.slotFingerprint !== record.certificate?.fingerprintSha256) return { device, problem: 'passed but the slot holds another certificate' };
    const drift = await driftCount(port, profile, store);
    return { device: `${device}; drift ${drift}`, problem: drift === 0 ? '' : 'passed but drift found' };
  }
  if (record.outcome === 'failed') {
    if (state.firmware !== '1.0.0') return { device, problem: 'failed but the old image is not running confirmed' };
    if (state.slotFingerprint !== null) return { device, problem: 'failed but the identity slot is not empty' };
    if (record.certificate && !certRevoked) return { device, problem: 'failed but its certificate is not revoked' };
    const changed = names.filter((n) => (snapshot?.settings[n] ?? null) !== state.settings[n]);
    return { device: `${device}; settings ${changed.length ? `changed: ${changed.join(', ')}` : 'as before'}`, problem: changed.length ? 'failed but settings differ from before' : '' };
  }
  return { device, problem: '' };
}

export const faultMatrixProbe: ReliabilityProbe = {
  name: 'faults',
  async run({ log }): Promise<ReliabilitySection> {
    const work = await mkdtemp(join(tmpdir(), 'fieldline-rel-faults-'));
    const dataDir = join(work, 'data');
    await initCa(dataDir, { passphrase: PASSPHRASE });
    const signer: Signer = await openStationCa(dataDir, PASSPHRASE);
    const store = openStore(dataDir);
    const image = makeMcubootImage({ version: '1.1.0', size: 16_000 });
    await writeFile(join(work, 'fw.bin'), image);
    const base = await readFile(join(REPO_ROOT, 'resources/profiles/gateway-eu.yaml'), 'utf8');
    const profileFile = join(work, 'gateway-fw.yaml');
    await writeFile(profileFile, base.replace('firmware:\n  minVersion: 1.0.0\n', `firmware:\n  minVersion: 1.1.0\n  image: fw.bin\n  sha256: ${createHash('sha256').update(image).digest('hex')}\n`));
    const profile = await loadProfile(profileFile);

    const runs = CASES.flatMap((c) => Array.from({ length: /p=/.test(c.spec) ? RANDOM_REPEATS : 1 }, () => c));
    const faults = runs.map((c, gw) => `${c.spec},gw=${gw}`);
    const sim = await spawnSimulator({ count: runs.length, baud: 0, faults, extra: ['--delay', 'reboot=200', '--seed', '7'], timeoutMs: 60_000 });
    const rows: string[][] = [];
    let failures = 0;
    const provision = (port: string): Promise<RunRecord> =>
      runProvisioning({ ...systemRunInputs, port, profile, signer, store, station: { name: 'reliability' }, variables: {}, timeoutMs: 3000, rebootTimeoutMs: 20_000 });
    try {
      for (const [gw, c] of runs.entries()) {
        const port = sim.gateways[gw]!.port;
        const record = await provision(port).catch((err: unknown) => ({ outcome: 'not recorded', error: { code: 'THROWN', message: String(err) } }) as unknown as RunRecord);
        let second: RunRecord | undefined;
        let device = c.comesBack ? 'not read' : 'gone (unplugged for good)';
        let problem = c.allowed.includes(record.outcome) ? '' : `outcome ${record.outcome} (${record.error?.code ?? ''}) not in ${c.allowed.join('/')}`;
        if (record.outcome === 'interrupted' && c.comesBack) {
          await waitForPath(port, 15_000);
          second = await provision(port);
          if (second.outcome !== 'passed') problem ||= `the next run ${second.outcome} (${second.error?.code ?? ''})`;
        }
        if (c.comesBack && !problem) {
          const revoked = new Set(listRevoked(dataDir).map((e) => e.serial));
          const checked = await verdict(second ?? record, port, profile, store, revoked);
          device = checked.device;
          problem = checked.problem;
          if (second && record.certificate && !revoked.has(record.certificate.serial.toLowerCase())) problem = 'the interrupted run\'s certificate is not revoked';
        }
        if (problem) failures++;
        const failedChecks = (record.diagnostics ?? []).filter((d) => !d.passed).map((d) => `${d.name}: ${d.detail ?? JSON.stringify(d.value)}`);
        rows.push([c.spec, record.outcome, [record.error ? `${record.error.code}: ${record.error.message.slice(0, 160)}` : '', ...failedChecks].filter(Boolean).join('; '), second ? `${second.outcome}` : '', device, problem ? `**FAIL**: ${problem}` : 'ok']);
        log(`${c.spec}: ${record.outcome}${second ? ` → ${second.outcome}` : ''} ${problem || 'ok'}`);
      }
    } finally {
      store.close();
      await sim.stop();
      await rm(work, { recursive: true, force: true });
    }
    return {
      title: 'Fault matrix: each simulator fault × a provisioning run',
      summary:
        'One run per fault (three per random fault, seed 7) of a profile that updates firmware 1.0.0 → 1.1.0, in process against ' +
        'unthrottled virtual gateways, then the device read back over SMP. Passed: new image confirmed, the record\'s certificate in ' +
        'the slot, no drift. Failed: old image confirmed, slot empty, settings as before, certificate revoked. Interrupted: the ' +
        'device\'s next run passes and revokes the first run\'s certificate. Files a rolled-back run created are not checked here: ' +
        'SMP cannot delete them (issue #12 removes them through the file-system shell).',
      columns: ['fault', 'outcome', 'error', 'next run', 'device afterwards', 'verdict'],
      rows,
      failures,
    };
  },
};
