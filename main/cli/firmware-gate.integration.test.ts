/**
 * Issue #14's done-when for signed firmware, as a technician runs it — every step a `fieldline` child process
 * against a simulator process: a profile whose firmware is signed by an untrusted key fails at the firmware step
 * before any upload, and the device's slot 1 (read with `smp image list`) is exactly as before.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastJsonLine, runFieldline, type CliRun } from '../testing/cli';
import { spawnSimulator, type SpawnedSimulator } from '../testing/sim-process';

let sim: SpawnedSimulator;
let dir: string;

const fieldline = (args: string[]): Promise<CliRun> =>
  runFieldline(args, { FIELDLINE_DATA_DIR: join(dir, 'data'), FIELDLINE_CA_PASSPHRASE: 'correct-horse-battery' });

async function keyPair(name: string): Promise<void> {
  const pair = generateKeyPairSync('ed25519');
  await writeFile(join(dir, `${name}.pem`), pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  await writeFile(join(dir, `${name}.pub.pem`), pair.publicKey.export({ type: 'spki', format: 'pem' }));
}

async function makeImage(name: string, version: string, signKey: string): Promise<{ sha256: string; hash: string }> {
  const file = join(dir, name);
  const run = await fieldline(['sim', 'make-image', '--version', version, '--size', '16384', '--sign-key', join(dir, signKey), '-o', file, '--json']);
  expect(run.code, run.stderr).toBe(0);
  return { sha256: createHash('sha256').update(await readFile(file)).digest('hex'), hash: String(lastJsonLine(run.stdout).hash) };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fieldline-fwgate-'));
  sim = await spawnSimulator({ count: 1, baud: 0, extra: ['--delay', 'reboot=100'] });
  await Promise.all([keyPair('trusted'), keyPair('stranger')]);
  const init = await fieldline(['ca', 'init', '--json']);
  expect(init.code, init.stderr + init.stdout).toBe(0);
});

afterAll(async () => {
  await sim?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('signed firmware only, through the CLI', { timeout: 120_000 }, () => {
  it('a profile whose firmware is signed by an untrusted key fails at the firmware step; slot 1 is untouched', async () => {
    const port = sim.gateways[0]!.port;
    // Something in slot 1 first: an upload would have erased it.
    const earlier = await makeImage('earlier.bin', '1.0.5', 'trusted.pem');
    expect((await fieldline(['smp', 'image', 'upload', join(dir, 'earlier.bin'), '--port', port])).code).toBe(0);
    const list = async (): Promise<unknown> => JSON.parse((await fieldline(['smp', 'image', 'list', '--port', port, '--json'])).stdout);
    const before = await list();
    expect(before).toContainEqual(expect.objectContaining({ slot: 1, hash: earlier.hash }));

    const fw = await makeImage('fw.bin', '1.1.0', 'stranger.pem');
    expect((await fieldline(['firmware', 'verify', join(dir, 'fw.bin'), '--key', join(dir, 'trusted.pub.pem')])).code).toBe(1);
    const profile = join(dir, 'profile.yaml');
    await writeFile(
      profile,
      `apiVersion: fieldline/v1
name: signed-only
version: 1.0.0
firmware:
  minVersion: 1.1.0
  image: fw.bin
  sha256: ${fw.sha256}
  signingKeys: [trusted.pub.pem]
identity:
  subject: "CN={{ device.serial }},O=Test"
`,
    );
    const run = await fieldline(['provision', '--port', port, '--profile', profile, '--json']);
    expect(run.code, run.stderr).toBe(1);
    const record = lastJsonLine(run.stdout) as { outcome: string; error: { code: string; message: string }; steps: Array<{ name: string; outcome: string }> };
    expect(record.outcome).toBe('failed');
    expect(record.error.code).toBe('FIRMWARE_KEY_UNTRUSTED');
    expect(record.steps.map((s) => [s.name, s.outcome])).toEqual([['identify', 'passed'], ['firmware', 'failed']]);
    expect(run.stdout).not.toContain('"op":"image upload"');
    expect(await list()).toEqual(before);
  });
});
