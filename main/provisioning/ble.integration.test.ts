/**
 * Provisioning over Bluetooth LE against virtual BLE gateways in a separate `fieldline sim --ble` process, through
 * the real noble (with the virtual binding) and BleTransport: a full run with a firmware update and its reboot, and
 * a run whose link drops in the middle of the image upload, which must reconnect and resume — not start over.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeMcubootImage } from '../device/mcuboot-image';
import { openTarget, type DeviceTarget, type OpenTargetOptions } from '../device/target';
import { initCa, openStationCa } from '../pki/station-ca';
import type { Signer } from '../pki/types';
import { loadProfile } from '../profiles/load';
import { identityInfo } from '../smp/groups/identity';
import { readState } from '../smp/groups/image';
import { openStore } from '../store/store';
import type { Store } from '../store/types';
import { REPO_ROOT } from '../testing/cli';
import { spawnSimulator, type SpawnedSimulator } from '../testing/sim-process';
import { systemRunInputs } from '../testing/run-inputs';
import { createBleRadios } from '../transport/ble/noble';
import { runProvisioning } from './runner';

// openTarget as it is, with the targets it was asked to open kept: the runner's re-opens must name the address.
const opened = vi.hoisted(() => [] as DeviceTarget[]);
vi.mock('../device/target', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../device/target')>();
  return {
    ...actual,
    openTarget: (target: DeviceTarget, ...rest: unknown[]) => {
      opened.push(target);
      return (actual.openTarget as (...args: unknown[]) => ReturnType<typeof actual.openTarget>)(target, ...rest);
    },
  };
});

const PASSPHRASE = 'ble-integration-passphrase';
let work: string;
let signer: Signer;
let store: Store;
let sim: SpawnedSimulator;
let profileFile: string;
// The noble instances of this file's runs and checks, as a core would own them; released after the last test.
const radios = createBleRadios();

// A 200 KB image is about 85 upload requests at the gateways' 2475-byte buffer; identify and the start of the
// firmware step take far fewer than 40, so the link of gateway 1 drops with the upload well under way.
const FAULTS = ['disconnect:after=40,back=300,gw=1'];

function target(gw: number): DeviceTarget {
  return { kind: 'ble', selector: sim.gateways[gw]!.name!, adapter: 'virtual', socketPath: sim.socketPath! };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'fieldline-ble-it-'));
  const dataDir = join(work, 'data');
  await initCa(dataDir, { passphrase: PASSPHRASE });
  signer = await openStationCa(dataDir, PASSPHRASE);
  store = openStore(dataDir);
  const image = makeMcubootImage({ version: '1.1.0', size: 200_000 });
  await writeFile(join(work, 'fw.bin'), image);
  const sha = createHash('sha256').update(image).digest('hex');
  // The example profile, with a firmware minimum the virtual gateways (1.0.0) do not meet: the run must update them.
  const example = await readFile(join(REPO_ROOT, 'resources/profiles/gateway-eu.yaml'), 'utf8');
  const yaml = example.replace(/firmware:\n {2}minVersion: 1\.0\.0\n/, `firmware:\n  minVersion: 1.1.0\n  image: fw.bin\n  sha256: ${sha}\n`);
  expect(yaml).not.toBe(example);
  profileFile = join(work, 'gateway-eu-fw.yaml');
  await writeFile(profileFile, yaml);
  sim = await spawnSimulator({ count: 2, ble: {}, faults: FAULTS, extra: ['--delay', 'reboot=100', '--seed', '5'] });
});

afterAll(async () => {
  store?.close();
  await radios.release();
  await sim?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

async function provision(gw: number) {
  return runProvisioning({
    ...systemRunInputs,
    openSession: (t: DeviceTarget, o: OpenTargetOptions) => openTarget(t, { ...o, radios }),
    target: target(gw),
    profile: await loadProfile(profileFile),
    signer,
    store,
    station: { name: 'ble-it' },
    variables: {},
    timeoutMs: 2000,
    rebootTimeoutMs: 20_000,
  });
}

describe('provisioning over virtual BLE', { timeout: 90_000 }, () => {
  it('passes end to end, firmware update and reboot included; the record names the BLE address', async () => {
    opened.length = 0;
    const record = await provision(0);
    expect(record.error).toBeUndefined();
    expect(record.outcome).toBe('passed');
    expect(record.steps.map((s) => s.outcome)).toEqual(['passed', 'passed', 'passed', 'passed', 'passed', 'passed']);
    expect(record.device).toMatchObject({ serial: sim.gateways[0]!.serial, port: sim.gateways[0]!.address, firmwareBefore: '1.0.0', firmwareAfter: '1.1.0' });
    // Found by its advertised name (which neighbours may share); re-opened after the reboot by its address only.
    const selectors = opened.map((t) => (t.kind === 'ble' ? t.selector : t.path));
    expect(selectors[0]).toBe(sim.gateways[0]!.name);
    expect(selectors.length).toBeGreaterThan(1);
    expect(selectors.slice(1)).toEqual(selectors.slice(1).map(() => sim.gateways[0]!.address));
    const upload = record.steps.find((s) => s.name === 'firmware')?.evidence.upload as { bytes: number; resumedFrom: number };
    expect(upload).toMatchObject({ bytes: 200_000, resumedFrom: 0 });

    const session = await openTarget(target(0), { timeoutMs: 2000, radios });
    try {
      expect((await readState(session.client)).find((s) => s.active)).toMatchObject({ version: '1.1.0', confirmed: true });
      const info = await identityInfo(session.client, 0);
      expect(Buffer.from(createHash('sha256').update(info.cert!).digest()).toString('hex')).toBe(record.certificate?.fingerprintSha256);
    } finally {
      await session.close();
    }
  });

  it('a link dropped mid-upload reconnects and resumes the upload from the device’s offset, and the run passes', async () => {
    const record = await provision(1);
    expect(record.error).toBeUndefined();
    expect(record.outcome).toBe('passed');
    const upload = record.steps.find((s) => s.name === 'firmware')?.evidence.upload as { bytes: number; resumedFrom: number; reconnects?: number };
    expect(upload.reconnects).toBe(1);
    expect(upload.resumedFrom).toBeGreaterThan(0);
    expect(upload.resumedFrom).toBeLessThan(200_000);
    expect(record.device.firmwareAfter).toBe('1.1.0');
  });
});
