/**
 * Firmware releases (issue #15): on a station that follows a channel, a released profile whose firmware image is not
 * a pulled firmware release of that channel is refused (PROFILE_UNRELEASED, naming the image) before any upload —
 * the virtual gateway's slot 1 (read with `smp image list`) is exactly as before and no run is recorded. Once the
 * image's bytes are a firmware release of the channel, the run passes and its record names both releases; a byte
 * changed in the stored firmware release refuses it again.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastJsonLine, runFieldline, type CliRun } from '../testing/cli';
import { artifactPath } from '../sync/release-store';
import { holdRelease } from '../testing/releases';
import { spawnSimulator, type SpawnedSimulator } from '../testing/sim-process';

let sim: SpawnedSimulator;
let dir: string;
const dataDir = (): string => join(dir, 'data');

const fieldline = (args: string[]): Promise<CliRun> => runFieldline(args, { FIELDLINE_DATA_DIR: dataDir(), FIELDLINE_CA_PASSPHRASE: 'correct-horse-battery' });
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

async function makeImage(name: string, version: string): Promise<{ sha256: string; hash: string }> {
  const file = join(dir, name);
  const run = await fieldline(['sim', 'make-image', '--version', version, '--size', '16384', '--sign-key', join(dir, 'key.pem'), '-o', file, '--json']);
  expect(run.code, run.stderr).toBe(0);
  return { sha256: sha256(await readFile(file)), hash: String(lastJsonLine(run.stdout).hash) };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fieldline-fwrelease-'));
  sim = await spawnSimulator({ count: 1, baud: 0, extra: ['--delay', 'reboot=100'] });
  await writeFile(join(dir, 'key.pem'), generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
  for (const args of [['ca', 'init', '--json'], ['registry', 'follow', 'pilot', '--json']]) {
    const run = await fieldline(args);
    expect(run.code, run.stderr + run.stdout).toBe(0);
  }
}, 60_000);

afterAll(async () => {
  await sim?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('firmware releases on a station that follows a channel', { timeout: 120_000 }, () => {
  it('refuses an image that is not a firmware release before any upload, and names the firmware release once it is one', async () => {
    const port = sim.gateways[0]!.port;
    // Something in slot 1 first: an upload would have erased it.
    const earlier = await makeImage('earlier.bin', '1.0.5');
    expect((await fieldline(['smp', 'image', 'upload', join(dir, 'earlier.bin'), '--port', port])).code).toBe(0);
    const list = async (): Promise<unknown> => JSON.parse((await fieldline(['smp', 'image', 'list', '--port', port, '--json'])).stdout);
    const before = await list();
    expect(before).toContainEqual(expect.objectContaining({ slot: 1, hash: earlier.hash }));

    const fw = await makeImage('fw.bin', '1.1.0');
    const profile = join(dir, 'profile.yaml');
    await writeFile(
      profile,
      `apiVersion: fieldline/v1
name: fw-release
version: 1.0.0
firmware:
  minVersion: 1.1.0
  image: fw.bin
  sha256: ${fw.sha256}
identity:
  subject: "CN={{ device.serial }},O=Test"
`,
    );
    // The profile is a release of the channel; its image is not (yet).
    const profileRelease = await holdRelease(dataDir(), { kind: 'profile', name: 'fw-release', version: '1.0.0', channel: 'pilot', bytes: await readFile(profile) });

    const refused = await fieldline(['provision', '--port', port, '--profile', profile, '--json']);
    expect(refused.code, refused.stderr).toBe(2);
    expect(lastJsonLine(refused.stdout)).toMatchObject({
      error: { code: 'PROFILE_UNRELEASED', message: expect.stringContaining(`the firmware image fw.bin (SHA-256 ${fw.sha256}) is not a firmware release of channel "pilot"`) },
    });
    expect(refused.stdout).not.toContain('"op":"image upload"');
    expect(await list()).toEqual(before);
    expect(JSON.parse((await fieldline(['runs', 'list', '--json'])).stdout)).toEqual([]);

    const fwRelease = await holdRelease(dataDir(), { kind: 'firmware', name: 'fw', version: '1.1.0', channel: 'pilot', bytes: await readFile(join(dir, 'fw.bin')) });
    const run = await fieldline(['provision', '--port', port, '--profile', profile, '--json']);
    expect(run.code, run.stderr + run.stdout.slice(-2000)).toBe(0);
    expect(lastJsonLine(run.stdout)).toMatchObject({
      outcome: 'passed',
      release: { channel: 'pilot', name: 'fw-release', version: '1.0.0', sha256: profileRelease.sha256, firmware: { name: 'fw', version: '1.1.0', sha256: fw.sha256 } },
    });

    // A byte changed in the stored firmware release: it is refused from then on, with the reason.
    const stored = artifactPath(dataDir(), fwRelease);
    const bytes = await readFile(stored);
    bytes.writeUInt8(bytes.readUInt8(100) ^ 0x01, 100);
    await writeFile(stored, bytes);
    const tampered = await fieldline(['provision', '--port', port, '--profile', profile, '--reprovision', '--json']);
    expect(tampered.code, tampered.stderr).toBe(2);
    expect(lastJsonLine(tampered.stdout)).toMatchObject({ error: { code: 'PROFILE_UNRELEASED', message: expect.stringContaining('the firmware release fw 1.1.0 is refused') } });
  });
});
