/**
 * `fieldline doctor` as a technician runs it: the report on this machine, the machine faked both ways through the
 * test-only FIELDLINE_DOCTOR_FAKE_PROBES (exit 0 when nothing fails, 1 when something does), and a data directory
 * on a real full disk and a real read-only mount (a tiny tmpfs: CI runs as root, where chmod does not stop writes).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DoctorReportSchema, type DoctorReport } from '../contract/doctor';
import { runFieldline } from '../testing/cli';
import { fakeProbesFile } from '../testing/doctor-probes';
import { mountSmallDisk, type SmallDisk } from '../testing/small-disk';

const EVERY_CHECK = [
  'serial.access', 'serial.udev-rule', 'serial.modemmanager', 'serial.brltty', 'serial.port-holders', 'serial.windows-drivers', 'serial.macos-naming',
  'bluetooth.adapter', 'bluetooth.capabilities', 'ca.station', 'registry.reachable', 'registry.token', 'registry.clock',
  'data.writable', 'data.disk', 'store.integrity', 'store.audit', 'tools.socat', 'tools.chromium', 'profiles.signing-keys',
];

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'fieldline-doctor-cli-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const report = (stdout: string): DoctorReport => DoctorReportSchema.parse(JSON.parse(stdout));
const doctor = (dataDir: string, env: Record<string, string | undefined> = {}) =>
  runFieldline(['doctor', '--json', '--data-dir', dataDir], { FIELDLINE_CA_PASSPHRASE: undefined, FIELDLINE_DOCTOR_FAKE_PROBES: undefined, ...env }, 60_000);

describe('fieldline doctor', () => {
  it('lists every check on this machine with its status, what it found and the fix; the exit code follows the failures', async () => {
    const run = await doctor(join(work, 'real'));
    const r = report(run.stdout);
    expect(r.checks.map((c) => c.id)).toEqual(EVERY_CHECK);
    for (const c of r.checks) expect(c).toMatchObject({ status: expect.stringMatching(/^(pass|warn|fail|skip)$/), found: expect.any(String), fix: expect.any(String) });
    expect(run.code).toBe(r.ok ? 0 : 1);
    // The issue's bound for the whole run (the checks run at once, each under its deadline).
    expect(r.ms).toBeLessThanOrEqual(3000);
    // A fresh data directory has no CA: that alone fails, and says how to make one.
    expect(r.checks.find((c) => c.id === 'ca.station')).toMatchObject({ status: 'fail', fix: expect.stringContaining('fieldline ca init') });
    expect(r.checks.find((c) => c.id === 'serial.windows-drivers')!.found).toContain('not checked on this OS');
  });

  it('exits 0 on a machine faked healthy, and 1 when one probe is faked failing', async () => {
    const healthy = join(work, 'healthy.json');
    await writeFile(healthy, fakeProbesFile());
    const ok = await doctor(join(work, 'fake'), { FIELDLINE_DOCTOR_FAKE_PROBES: healthy });
    expect(ok.stderr).toContain('for tests only');
    expect(report(ok.stdout)).toMatchObject({ ok: true, counts: { fail: 0 } });
    expect(ok.code).toBe(0);

    const broken = join(work, 'broken.json');
    await writeFile(broken, fakeProbesFile({ identity: { value: { uid: 1000, user: 'tech', sessionGroups: ['tech'], dialoutMembers: [] } } }));
    const failed = await doctor(join(work, 'fake'), { FIELDLINE_DOCTOR_FAKE_PROBES: broken });
    expect(failed.code).toBe(1);
    expect(report(failed.stdout).checks.find((c) => c.id === 'serial.access')).toMatchObject({ status: 'fail', fix: 'sudo usermod -aG dialout tech, then log out and in' });
  });

  it('refuses a fake probes file that is not one (exit 2, not a report from half-faked probes)', async () => {
    const bad = join(work, 'bad.json');
    await writeFile(bad, JSON.stringify({ nonsense: { value: 1 } }));
    const run = await doctor(join(work, 'fake'), { FIELDLINE_DOCTOR_FAKE_PROBES: bad });
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('FIELDLINE_DOCTOR_FAKE_PROBES');
  });
});

// Top-level: the skip reason must be known when the suite is declared.
const disk: SmallDisk | string = await mountSmallDisk(1024);
const noMount = typeof disk === 'string' ? disk : undefined;

describe.skipIf(noMount !== undefined)(`a data directory on a full or read-only disk${noMount ? ` (skipped: ${noMount})` : ''}`, () => {
  const small = (): SmallDisk => disk as SmallDisk;
  afterAll(async () => {
    await small().unmount();
  });

  it('on a full disk: fails, naming the folder and the fix', async () => {
    await small().fillTo(0);
    const run = await doctor(small().dir);
    expect(run.code).toBe(1);
    const r = report(run.stdout);
    const writable = r.checks.find((c) => c.id === 'data.writable')!;
    expect(writable).toMatchObject({ status: 'fail', found: `${small().dir} is on a full disk` });
    expect(writable.fix).toContain('--data-dir');
    expect(r.checks.find((c) => c.id === 'data.disk')).toMatchObject({ status: 'fail', found: expect.stringContaining(small().dir) });
    await small().unfill();
  });

  it('on a read-only mount: fails, naming the folder and the remount', async () => {
    await promisify(execFile)('mount', ['-o', 'remount,ro', small().dir]);
    const run = await doctor(small().dir);
    expect(run.code).toBe(1);
    const writable = report(run.stdout).checks.find((c) => c.id === 'data.writable')!;
    expect(writable).toMatchObject({ status: 'fail', found: `${small().dir} is on a read-only file system` });
    expect(writable.fix).toContain('remount');
  });
});
