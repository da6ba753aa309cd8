/**
 * The client against virtual gateways over real pseudo-terminals (socat) opened with the real serialport
 * package — the same path a USB gateway takes — for every group.
 */
import { createHash, createPublicKey, randomBytes, verify, webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSimulator, type SpawnedSimulator } from '../testing/sim-process';
import { GatewaySession } from './session';
import * as os from '../smp/groups/os';
import * as image from '../smp/groups/image';
import * as fs from '../smp/groups/fs';
import * as settings from '../smp/groups/settings';
import * as identity from '../smp/groups/identity';
import * as enumeration from '../smp/groups/enumeration';
import { shellExec } from '../smp/groups/shell';
import { listStats, readStats } from '../smp/groups/stats';
import { isGroupError } from '../smp/smp-error';
import { GROUP } from '../smp/error-codes';
import { makeMcubootImage } from './mcuboot-image';

const fixture = readFileSync(new URL('../testing/fixtures/zephyr-hello_world.signed.bin', import.meta.url));

let sim: SpawnedSimulator;
let session: GatewaySession;

async function reconnect(): Promise<void> {
  await session?.close();
  session = await GatewaySession.openSerial(sim.gateways[0]!.port, { timeoutMs: 2000 });
}

/** After a reset the device is silent for its reboot delay; echo until it answers. */
async function waitForBoot(): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await os.echo(session.client, 'up');
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
  }
}

beforeAll(async () => {
  sim = await spawnSimulator({ count: 2, baud: 0, extra: ['--delay', 'reboot=200'] });
  await reconnect();
});

afterAll(async () => {
  await session?.close();
  await sim?.stop();
});

describe('virtual gateway over a real pty', () => {
  it('OS: echo, params, info, bootloader, datetime, task stats', async () => {
    expect(await os.echo(session.client, 'hello')).toBe('hello');
    expect(session.client.version).toBe(1);
    expect(await os.params(session.client)).toEqual({ bufSize: 2475, bufCount: 4 });
    expect(await os.info(session.client, 's')).toBe('Zephyr');
    expect((await os.bootloaderInfo(session.client)).bootloader).toBe('MCUboot');
    expect(typeof (await os.bootloaderInfo(session.client, 'mode')).mode).toBe('number');
    await os.setDatetime(session.client, '2030-01-02T03:04:05');
    expect(await os.getDatetime(session.client)).toMatch(/^2030-01-02T03:04/);
    expect((await os.taskStats(session.client)).length).toBeGreaterThan(0);
  });

  it('shell: hwinfo devid prints the serial like Zephyr, diagnostics answer', async () => {
    const r = await shellExec(session.client, ['hwinfo', 'devid']);
    expect(r.ret).toBe(0);
    expect(r.output).toContain(`ID: 0x${sim.gateways[0]!.serial.toLowerCase()}`);
    const temp = await shellExec(session.client, ['diag', 'temp']);
    expect(temp.ret).toBe(0);
    const missing = await shellExec(session.client, ['no-such-command']);
    expect(missing.ret).not.toBe(0);
  });

  it('FS: upload (pipelined), hash, status, download, missing file error', async () => {
    const data = randomBytes(10_000);
    const r = await fs.uploadFile(session.client, '/lfs/x.bin', data, await session.buffers());
    expect(r.bytes).toBe(10_000);
    const h = await fs.hashFile(session.client, '/lfs/x.bin', { type: 'sha256' });
    expect(h.output).toBe(createHash('sha256').update(data).digest('hex'));
    expect((await fs.hashFile(session.client, '/lfs/x.bin', { type: 'crc32' })).type).toBe('crc32');
    expect(await fs.fileStatus(session.client, '/lfs/x.bin')).toEqual({ len: 10_000 });
    expect(Buffer.from(await fs.downloadFile(session.client, '/lfs/x.bin'))).toEqual(data);
    expect((await fs.supportedHashTypes(session.client)).map((t) => t.name).sort()).toEqual(['crc32', 'sha256']);
    await fs.closeFiles(session.client);
    const err = await fs.fileStatus(session.client, '/lfs/nope').catch((e: unknown) => e);
    expect(isGroupError(err, GROUP.FS, 'FILE_NOT_FOUND')).toBe(true);
  });

  it('settings: write, read back, commit, save, delete', async () => {
    await settings.writeSetting(session.client, 'fieldline/site', Buffer.from('MUC-3'));
    expect(Buffer.from(await settings.readSetting(session.client, 'fieldline/site')).toString()).toBe('MUC-3');
    await settings.commitSettings(session.client);
    await settings.saveSettings(session.client);
    await settings.loadSettings(session.client);
    await settings.deleteSetting(session.client, 'fieldline/site');
    const err = await settings.readSetting(session.client, 'fieldline/site').catch((e: unknown) => e);
    expect(isGroupError(err, GROUP.SETTINGS, 'KEY_NOT_FOUND')).toBe(true);
  });

  it('stats and enumeration', async () => {
    const groups = await listStats(session.client);
    expect(groups).toContain('smp');
    const smp = await readStats(session.client, 'smp');
    expect(Object.values(smp).some((v) => v > 0)).toBe(true);
    const ids = await enumeration.listGroups(session.client);
    expect(ids).toEqual(expect.arrayContaining([0, 1, 2, 3, 8, 9, 10, 64]));
    expect(await enumeration.groupCount(session.client)).toBe(ids.length);
    expect((await enumeration.groupAt(session.client, 0)).group).toBe(ids[0]);
    expect((await enumeration.groupDetails(session.client)).length).toBe(ids.length);
  });

  it('identity: CSR from the device, certificate installed, challenge signed by the device key', async () => {
    const csrDer = await identity.requestCsr(session.client, 'CN=GW-TEST,O=Fieldline');
    const csr = new x509.Pkcs10CertificateRequest(csrDer);
    expect(await csr.verify()).toBe(true);
    expect(csr.subject).toBe('CN=GW-TEST, O=Fieldline');
    const caKeys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: '01',
      subject: csr.subject,
      issuer: 'CN=Test CA',
      notBefore: new Date(),
      notAfter: new Date(Date.now() + 86_400_000),
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      publicKey: await csr.publicKey.export(),
      signingKey: caKeys.privateKey,
    });
    const fingerprint = await identity.installCertificate(session.client, new Uint8Array(cert.rawData));
    expect(Buffer.from(fingerprint).toString('hex')).toBe(createHash('sha256').update(new Uint8Array(cert.rawData)).digest('hex'));
    const challenge = randomBytes(32);
    const sig = await identity.signChallenge(session.client, challenge);
    const publicKey = createPublicKey({ key: Buffer.from(cert.publicKey.rawData), format: 'der', type: 'spki' });
    expect(verify('sha256', challenge, publicKey, Buffer.from(sig))).toBe(true);
    const info = await identity.identityInfo(session.client);
    expect(info.key).toBe(true);
    expect(info.cert && Buffer.from(info.cert)).toEqual(Buffer.from(cert.rawData));
    await identity.eraseIdentity(session.client);
    expect((await identity.identityInfo(session.client)).key).toBe(false);
    const err = await identity.signChallenge(session.client, challenge).catch((e: unknown) => e);
    expect(isGroupError(err, GROUP.IDENTITY, 'NO_KEY')).toBe(true);
  });

  it('image: the real MCUboot fixture uploads and shows up in slot 1 with its TLV hash', async () => {
    const r = await image.uploadImage(session.client, fixture, await session.buffers());
    expect(r.match).toBe(true);
    const slots = await image.readState(session.client);
    const secondary = slots.find((s) => s.slot === 1);
    expect(secondary?.hash).toBe('90a0d88baaa733640dab01fd8e9311dbe8ea1032966b6b286ef6ef772cc608cf');
    expect(secondary?.version).toBe('0.0.0');
    await image.eraseSlot(session.client);
  });

  it('image: test → reset runs it unconfirmed → reset again reverts (MCUboot rollback)', async () => {
    const before = (await image.readState(session.client)).find((s) => s.slot === 0)!;
    const img = makeMcubootImage({ version: '9.1.0', size: 8192 });
    await image.uploadImage(session.client, img, await session.buffers());
    const uploaded = (await image.readState(session.client)).find((s) => s.slot === 1)!;
    expect(uploaded.version).toBe('9.1.0');
    await image.testImage(session.client, uploaded.hash!);
    await os.reset(session.client);
    await waitForBoot();
    const running = (await image.readState(session.client)).find((s) => s.active)!;
    expect(running.version).toBe('9.1.0');
    expect(running.confirmed).toBe(false);
    await os.reset(session.client);
    await waitForBoot();
    const reverted = (await image.readState(session.client)).find((s) => s.active)!;
    expect(reverted.version).toBe(before.version);
  });

  it('image: test → reset → confirm makes the new image permanent', async () => {
    const img = makeMcubootImage({ version: '9.2.0', size: 4096 });
    await image.uploadImage(session.client, img, await session.buffers());
    const uploaded = (await image.readState(session.client)).find((s) => s.slot === 1)!;
    await image.testImage(session.client, uploaded.hash!);
    await os.reset(session.client);
    await waitForBoot();
    await image.confirmImage(session.client);
    await os.reset(session.client);
    await waitForBoot();
    const running = (await image.readState(session.client)).find((s) => s.active)!;
    expect(running.version).toBe('9.2.0');
    expect(running.confirmed).toBe(true);
  });

  it('image: refuses a test of the running image with a named group error', async () => {
    const running = (await image.readState(session.client)).find((s) => s.active)!;
    const err = await image.testImage(session.client, running.hash!).catch((e: unknown) => e);
    expect(isGroupError(err, GROUP.IMAGE, 'IMAGE_SETTING_TEST_TO_ACTIVE_DENIED')).toBe(true);
  });

  it('a second open of the same port is refused as PORT_BUSY', async () => {
    await expect(GatewaySession.openSerial(sim.gateways[0]!.port)).rejects.toMatchObject({ code: 'PORT_BUSY' });
  });

  it('a missing port is PORT_NOT_FOUND', async () => {
    await expect(GatewaySession.openSerial('/dev/fieldline-no-such-port')).rejects.toMatchObject({ code: 'PORT_NOT_FOUND' });
  });

  it('the second gateway is independent', async () => {
    const other = await GatewaySession.openSerial(sim.gateways[1]!.port);
    try {
      const r = await shellExec(other.client, ['hwinfo', 'devid']);
      expect(r.output).toContain(sim.gateways[1]!.serial.toLowerCase());
      expect(sim.gateways[1]!.serial).not.toBe(sim.gateways[0]!.serial);
    } finally {
      await other.close();
    }
  });
});
