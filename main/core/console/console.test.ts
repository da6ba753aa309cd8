/**
 * The device console through createApp's handlers (contract, permission wrapper, core) against virtual gateways in
 * their own process: OS info, slots, files listed through `fs ls` (and said plainly when the build has no `fs`
 * shell), upload → download → hash, settings set/get/delete with an encoding, a shell command, statistics; every
 * write audited under the operator; and a device a run holds is refused (DEVICE_BUSY), never talked to.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayload, MethodName, MethodValue } from '../../contract/api';
import { CONSOLE_LIMITS } from '../../contract/console';
import { createDispatch, type Dispatch } from '../../contract/dispatch';
import type { Result } from '../../contract/result';
import { makeMcubootImage, parseMcubootImage } from '../../device/mcuboot-image';
import { STORE_FILE } from '../../store/file';
import { runFieldline } from '../../testing/cli';
import { createTestApp, type TestApp } from '../../testing/app';
import { spawnSimulator, type SpawnedSimulator } from '../../testing/sim-process';

let sim: SpawnedSimulator;
let bare: SpawnedSimulator;
let station: TestApp;
let dispatch: Dispatch;
let deviceId: string;
let bareId: string;
const STATE = { dir: '' };

async function answer<N extends MethodName>(name: N, ...args: unknown[]): Promise<Result<MethodValue<N>>> {
  return (await dispatch(name, args)) as Result<MethodValue<N>>;
}

async function call<N extends MethodName>(name: N, ...args: unknown[]): Promise<MethodValue<N>> {
  const result = await answer(name, ...args);
  if (!result.ok) throw new Error(`${name}: ${result.error.code} ${result.error.message}`);
  return result.value;
}

function consoleAudit(): Array<{ actor: string; action: string; subject: string; details: Record<string, unknown> }> {
  const db = new Database(join(station.dataDir, STORE_FILE), { readonly: true });
  try {
    const rows = db.prepare("SELECT actor, action, subject, details FROM audit WHERE action LIKE 'console.%' ORDER BY seq").all() as Array<{
      actor: string;
      action: string;
      subject: string;
      details: string;
    }>;
    return rows.map((r) => ({ ...r, details: JSON.parse(r.details) as Record<string, unknown> }));
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  STATE.dir = await mkdtemp(join(tmpdir(), 'fieldline-console-'));
  sim = await spawnSimulator({ count: 1, baud: 0, stateDir: STATE.dir, extra: ['--delay', 'reboot=100', '--delay', 'keyGeneration=200'] });
  bare = await spawnSimulator({ count: 1, baud: 0, extra: ['--no-fs-shell'] });
  station = await createTestApp({ extraPorts: [sim.gateways[0]!.port, bare.gateways[0]!.port] });
  dispatch = createDispatch(station.app.handlers);
  deviceId = `serial:${sim.gateways[0]!.port}`;
  bareId = `serial:${bare.gateways[0]!.port}`;
  await call('settings:set-operator', { name: 'Ada' });
}, 60_000);

afterAll(async () => {
  await station?.close();
  await sim?.stop();
  await bare?.stop();
  if (STATE.dir) await rm(STATE.dir, { recursive: true, force: true });
});

describe('the device console', () => {
  it('reads OS info, MCUmgr params and the image slots', async () => {
    const info = await call('console:info', { deviceId });
    expect(info.os).toMatch(/Zephyr/);
    expect(info.params?.bufSize).toBeGreaterThan(0);
    expect(info.params?.bufCount).toBeGreaterThan(0);
    const slots = await call('console:images', { deviceId });
    expect(slots.find((s) => s.active)).toMatchObject({ slot: 0, confirmed: true });
  });

  it('uploads a file, lists it through fs ls, downloads the same bytes and hashes it on the device; the upload is audited', async () => {
    const bytes = Buffer.from('console notes\n'.repeat(40));
    const sha = createHash('sha256').update(bytes).digest('hex');
    const up = await call('console:fs-upload', { deviceId, path: '/lfs/notes.txt', base64: bytes.toString('base64') });
    expect(up).toEqual({ path: '/lfs/notes.txt', size: bytes.length, sha256: sha });

    const listing = await call('console:fs-list', { deviceId, path: '/lfs' });
    expect(listing.state).toBe('listed');
    expect(listing.entries).toContainEqual({ name: 'notes.txt', dir: false });
    expect((await call('console:fs-list', { deviceId, path: '/' })).entries).toEqual([{ name: 'lfs', dir: true }]);
    const missing = await call('console:fs-list', { deviceId, path: '/lfs/nowhere' });
    expect(missing).toMatchObject({ state: 'failed', problem: expect.stringContaining('Unable to open /lfs/nowhere') });

    const down = await call('console:fs-download', { deviceId, path: '/lfs/notes.txt' });
    expect(Buffer.from(down.base64, 'base64').equals(bytes)).toBe(true);
    expect(down.sha256).toBe(sha);
    const hash = await call('console:fs-hash', { deviceId, path: '/lfs/notes.txt', type: 'sha256' });
    expect(hash).toMatchObject({ type: 'sha256', len: bytes.length, output: sha });

    expect(consoleAudit().filter((e) => e.action === 'console.file.upload')).toEqual([
      expect.objectContaining({ actor: 'operator:Ada', details: expect.objectContaining({ path: '/lfs/notes.txt', size: bytes.length, outcome: 'done', sha256: sha }) }),
    ]);
  });

  it('refuses to download a file larger than the console bound, before reading it', async () => {
    // The gateway's file system is a folder of its state directory: /lfs/big.bin is fs/big.bin there.
    const serial = sim.gateways[0]!.serial;
    await writeFile(join(STATE.dir, serial, 'fs', 'big.bin'), Buffer.alloc(CONSOLE_LIMITS.downloadBytes + 1));
    const refused = await answer('console:fs-download', { deviceId, path: '/lfs/big.bin' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining(`${CONSOLE_LIMITS.downloadBytes + 1} bytes`) } });
  });

  it('says plainly that a gateway without the file-system shell cannot list, and still reads a named file', async () => {
    const listing = await call('console:fs-list', { deviceId: bareId, path: '/lfs' });
    expect(listing).toEqual({ path: '/lfs', state: 'no-shell', problem: 'the device has no file-system shell (`fs` is not a command)', entries: [] });
    await call('console:fs-upload', { deviceId: bareId, path: '/lfs/a.txt', base64: Buffer.from('abc').toString('base64') });
    expect(Buffer.from((await call('console:fs-download', { deviceId: bareId, path: '/lfs/a.txt' })).base64, 'base64').toString()).toBe('abc');
  });

  it('offers the names of every profile of the station for a device with no provisioning run known', async () => {
    const names = await call('console:settings-names', { deviceId: bareId });
    expect(names.provisionedBy).toBeUndefined();
    expect(names.names).toContainEqual(expect.objectContaining({ name: 'fieldline/max_peers', as: 'u8' }));
  });

  it('sets, reads and deletes a setting with an encoding, saves, and audits each write', async () => {
    const before = consoleAudit().length;
    expect(await call('console:settings-set', { deviceId, name: 'fieldline/max_peers', value: '300', as: 'u16' })).toEqual({ name: 'fieldline/max_peers', hex: '2c01', saved: false });
    expect(await call('console:settings-get', { deviceId, name: 'fieldline/max_peers', as: 'u16' })).toEqual({ name: 'fieldline/max_peers', value: '300', hex: '2c01' });
    // A value that does not fit its encoding is refused before the device is touched, and nothing is audited.
    expect(await answer('console:settings-set', { deviceId, name: 'fieldline/max_peers', value: '300', as: 'u8' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    await call('console:settings-save', { deviceId });
    await call('console:settings-delete', { deviceId, name: 'fieldline/max_peers' });
    expect(await answer('console:settings-get', { deviceId, name: 'fieldline/max_peers', as: 'u16' })).toMatchObject({ ok: false });
    expect(consoleAudit().slice(before).map((e) => [e.action, e.actor, e.details.outcome])).toEqual([
      ['console.settings.set', 'operator:Ada', 'done'],
      ['console.settings.save', 'operator:Ada', 'done'],
      ['console.settings.delete', 'operator:Ada', 'done'],
    ]);
  });

  it('runs a shell command and audits it with its return code', async () => {
    const result = await call('console:shell', { deviceId, command: 'fs ls /lfs' });
    expect(result).toMatchObject({ ret: 0, truncated: false });
    expect(result.output).toContain('notes.txt\n');
    expect(result.output).not.toContain('\r');
    const failed = await call('console:shell', { deviceId, command: 'no-such-command' });
    expect(failed.ret).not.toBe(0);
    expect(consoleAudit().filter((e) => e.action === 'console.shell').map((e) => [e.details.command, e.details.ret])).toEqual([
      ['fs ls /lfs', 0],
      ['no-such-command', failed.ret],
    ]);
  });

  it('reads the statistics groups with their counters', async () => {
    const stats = await call('console:stats', { deviceId });
    expect(stats.groups.length).toBeGreaterThan(0);
    expect(stats.groups[0]!.counters.length).toBeGreaterThan(0);
  });

  it('confirms the running image, audited, and refuses test without a hash', async () => {
    const slots = await call('console:image', { deviceId, action: 'confirm' });
    expect(slots.find((s) => s.active)?.confirmed).toBe(true);
    expect(consoleAudit().filter((e) => e.action === 'console.image.confirm')).toEqual([expect.objectContaining({ actor: 'operator:Ada', details: expect.objectContaining({ outcome: 'done' }) })]);
    expect(await answer('console:image', { deviceId, action: 'test' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });


  it('never talks to a device a run holds, and offers the names of the profile the device was provisioned with', async () => {
    const profilePath = (await call('profiles:list')).find((p) => p.name === 'gateway-eu')!.path;
    const finished = new Promise<EventPayload<'run:finished'>>((resolve) => {
      const stop = station.app.events.on('run:finished', (p) => {
        stop();
        resolve(p);
      });
    });
    await call('provision:start', { deviceId, profilePath, variables: { site: 'BER-1' } });
    expect(await answer('console:shell', { deviceId, command: 'fs ls /lfs' })).toMatchObject({ ok: false, error: { code: 'DEVICE_BUSY' } });
    expect(await answer('console:info', { deviceId })).toMatchObject({ ok: false, error: { code: 'DEVICE_BUSY' } });
    expect((await finished).outcome).toBe('passed');

    const names = await call('console:settings-names', { deviceId });
    expect(names.provisionedBy).toMatchObject({ name: 'gateway-eu', version: '1.0.0', source: 'store', found: true });
    expect(names.names).toContainEqual({ name: 'fieldline/max_peers', as: 'u8', profile: 'gateway-eu 1.0.0' });
    expect(names.names).toContainEqual({ name: 'fieldline/site', as: 'text', profile: 'gateway-eu 1.0.0' });
    // The refused shell call was not audited as if it had run.
    expect(consoleAudit().filter((e) => e.action === 'console.shell')).toHaveLength(2);
  }, 60_000);

  it('erases an uploaded image and marks another for test, each answered with the slots read back and audited', async () => {
    const file = join(STATE.dir, 'app-1.2.0.bin');
    const image = makeMcubootImage({ version: '1.2.0', size: 16 * 1024 });
    const hash = Buffer.from(parseMcubootImage(image).hash ?? []).toString('hex');
    await writeFile(file, image);
    const upload = async (): Promise<void> => {
      const run = await runFieldline(['smp', 'image', 'upload', file, '--port', sim.gateways[0]!.port]);
      expect(run.code, run.stderr).toBe(0);
    };

    await upload();
    expect((await call('console:images', { deviceId })).find((s) => s.slot === 1)).toMatchObject({ hash, active: false, pending: false });
    const erased = await call('console:image', { deviceId, action: 'erase', slot: 1 });
    expect(erased.find((s) => s.slot === 1)).toBeUndefined();
    expect(erased.find((s) => s.active)).toMatchObject({ slot: 0 });

    await upload();
    const tested = await call('console:image', { deviceId, action: 'test', hash });
    expect(tested.find((s) => s.slot === 1)).toMatchObject({ hash, pending: true });
    expect(consoleAudit().filter((e) => e.action === 'console.image.erase' || e.action === 'console.image.test').map((e) => [e.action, e.actor, e.details])).toEqual([
      ['console.image.erase', 'operator:Ada', expect.objectContaining({ slot: 1, outcome: 'done' })],
      ['console.image.test', 'operator:Ada', expect.objectContaining({ hash, outcome: 'done' })],
    ]);
  });
});
