/**
 * Signed releases end to end (issue #15's third done-when), through the real CLI and a registry on each engine:
 * one station publishes gateway-eu.yaml into `pilot`; another follows `pilot`, syncs, lists the profile as
 * released, provisions a virtual gateway with it (and runs a batch with it) and each run record names the release; one byte changed in the
 * stored artifact makes the next sync refuse it with the reason, and its use too. A local profile that is not a
 * release runs only with --allow-unreleased, audited.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastJsonLine, REPO_ROOT, runFieldline, type CliRun } from '../testing/cli';
import { testEngines, type EngineTestRegistry } from '../testing/registry';
import { spawnSimulator, type SpawnedSimulator } from '../testing/sim-process';

const PROFILE = 'resources/profiles/gateway-eu.yaml';
const FIRMWARE = 'main/testing/fixtures/zephyr-hello_world.signed.bin';

interface Listed {
  path: string;
  name: string;
  version: string;
  sha256: string;
  source: string;
  released?: { channel: string; version: string; sha256: string };
  refused?: string;
}

for (const engine of testEngines()) {
  describe.skipIf(engine.unavailable !== undefined)(`signed releases on ${engine.title}`, () => {
    let work: string;
    let reg: EngineTestRegistry;
    let sim: SpawnedSimulator;
    let registryStopped = false;

    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), 'fieldline-release-'));
      [reg, sim] = await Promise.all([engine.start(), spawnSimulator({ count: 3, baud: 0, extra: ['--delay', 'reboot=100'] })]);
    }, 60_000);
    afterAll(async () => {
      await sim?.stop();
      if (!registryStopped) await reg?.close();
      if (work) await rm(work, { recursive: true, force: true });
    });

    const station = (name: string) => {
      const dataDir = join(work, name);
      const env = { FIELDLINE_DATA_DIR: dataDir, FIELDLINE_KEY_DIR: join(work, `${name}-keys`), FIELDLINE_CA_PASSPHRASE: 'correct-horse-battery' };
      return { dataDir, env, run: (args: string[], input?: string): Promise<CliRun> => runFieldline(args, env, 120_000, input) };
    };
    const ok = (run: CliRun): Record<string, unknown> => {
      expect(run.code, run.stderr + run.stdout.slice(-2000)).toBe(0);
      return lastJsonLine(run.stdout);
    };

    /** A publisher station with its key in its data directory, and a line station that trusts it; both logged in. */
    async function twoStations(prefix: string) {
      const publisher = station(`${prefix}publisher`);
      const line = station(`${prefix}line`);
      await mkdir(publisher.dataDir, { recursive: true });
      ok(await publisher.run(['profile', 'keygen', '--out', join(publisher.dataDir, 'publisher'), '--json']));
      await mkdir(join(line.dataDir, 'trust'), { recursive: true });
      await copyFile(join(publisher.dataDir, 'publisher.pub.pem'), join(line.dataDir, 'trust', 'publisher.pub.pem'));
      ok(await publisher.run(['registry', 'login', '--url', reg.url, '--token-stdin', '--json'], await reg.addToken(`${prefix}publisher`)));
      ok(await line.run(['registry', 'login', '--url', reg.url, '--token-stdin', '--json'], await reg.addToken(`${prefix}line-1`)));
      return { publisher, line };
    }

    it('continuous sync pulls a release published while it runs', async () => {
      const { publisher, line } = await twoStations('live-');
      ok(await line.run(['registry', 'follow', 'nightly', '--json']));
      const sync = spawn(process.execPath, [join(REPO_ROOT, 'bin/fieldline.js'), 'sync', '--json', '--poll', '1'], { cwd: REPO_ROOT, env: { ...process.env, ...line.env } });
      const exited = new Promise<number | null>((resolve) => sync.once('exit', resolve));
      try {
        const lines = createInterface({ input: sync.stdout });
        const pulledLine = new Promise<Record<string, unknown>>((resolve) =>
          lines.on('line', (text) => {
            const event = JSON.parse(text) as Record<string, unknown>;
            if (event.event === 'releases') resolve(event);
          }),
        );
        const published = ok(await publisher.run(['release', 'publish', 'profile', PROFILE, '--channel', 'nightly', '--json']));
        expect(await pulledLine).toMatchObject({ channel: 'nightly', pulled: [{ name: 'gateway-eu', sha256: published.sha256 }], refused: [], held: 1 });
      } finally {
        sync.kill('SIGTERM');
      }
      expect(await exited).toBe(0);
    }, 120_000);

    it('publishes on one station, pulls, lists, provisions and records the release on another; a changed byte is refused', async () => {
      const { publisher, line } = await twoStations('');
      ok(await line.run(['ca', 'init', '--json']));

      // The done-when's command as written: the key from the data directory (<data-dir>/publisher.pem).
      const published = ok(await publisher.run(['release', 'publish', 'profile', PROFILE, '--channel', 'pilot', '--json']));
      expect(published).toMatchObject({ kind: 'profile', name: 'gateway-eu', version: '1.0.0', channel: 'pilot', result: 'accepted', publishedBy: 'publisher' });
      const sha256 = published.sha256 as string;
      expect(ok(await publisher.run(['release', 'publish', 'profile', PROFILE, '--channel', 'pilot', '--json'])).result).toBe('duplicate');

      const firmware = ok(await publisher.run(['release', 'publish', 'firmware', FIRMWARE, '--version', '1.0.0', '--channel', 'pilot', '--json']));
      expect(firmware).toMatchObject({ kind: 'firmware', name: 'zephyr-hello_world.signed', version: '1.0.0', result: 'accepted' });

      ok(await line.run(['registry', 'follow', 'pilot', '--json']));
      const synced = ok(await line.run(['sync', '--once', '--json']));
      expect(synced).toMatchObject({
        ok: true,
        releases: { channel: 'pilot', pulled: [{ kind: 'profile', name: 'gateway-eu', version: '1.0.0', sha256 }, { kind: 'firmware', sha256: firmware.sha256 }], refused: [], held: 2 },
      });
      expect(ok(await line.run(['sync', '--once', '--json'])).releases).toMatchObject({ pulled: [], refused: [], held: 2 });

      const listed = ok(await line.run(['profile', 'list', '--json'])) as unknown as { channel: string; profiles: Listed[] };
      expect(listed.channel).toBe('pilot');
      const released = listed.profiles.find((p) => p.name === 'gateway-eu' && p.source === 'release');
      expect(released?.released).toEqual({ channel: 'pilot', version: '1.0.0', sha256 });
      expect(await readFile(released?.path as string)).toEqual(await readFile(join(REPO_ROOT, PROFILE)));

      const [first, second] = sim.gateways;
      const run = await line.run(['provision', '--port', first?.port as string, '--profile', released?.path as string, '--json']);
      const record = ok(run);
      expect(record).toMatchObject({ outcome: 'passed', profile: { name: 'gateway-eu', version: '1.0.0', sha256 }, release: { channel: 'pilot', name: 'gateway-eu', version: '1.0.0', sha256 } });
      // The registry keeps the release in the record it received.
      ok(await line.run(['sync', '--once', '--json']));
      const device = (await (await fetch(`${reg.url}/v1/devices/${encodeURIComponent((record.device as { serial: string }).serial)}`, { headers: { authorization: `Bearer ${reg.token}` } })).json()) as {
        runs: Array<{ release?: unknown }>;
      };
      expect(device.runs[0]?.release).toEqual({ channel: 'pilot', name: 'gateway-eu', version: '1.0.0', sha256 });

      // A batch (the line without the app) names the release in its runs' records too.
      const batch = await line.run(['batch', '--ports', sim.gateways[2]?.port as string, '--profile', released?.path as string, '--count', '1', '--json']);
      expect(batch.code, batch.stderr + batch.stdout.slice(-2000)).toBe(0);
      const batchEnd = batch.stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((e) => e.event === 'run-end');
      expect(batchEnd).toMatchObject({ outcome: 'passed' });
      const batchRecord = ok(await line.run(['runs', 'show', batchEnd?.runId as string, '--json']));
      expect(batchRecord.release).toEqual({ channel: 'pilot', name: 'gateway-eu', version: '1.0.0', sha256 });

      // A local profile that is not a release: refused, unless --allow-unreleased, which is audited.
      const local = join(work, 'local-gateway-eu.yaml');
      await writeFile(local, (await readFile(join(REPO_ROOT, PROFILE), 'utf8')) + '# edited on the line\n');
      const refusedRun = await line.run(['provision', '--port', second?.port as string, '--profile', local, '--json']);
      expect(refusedRun.code).toBe(2);
      expect(lastJsonLine(refusedRun.stdout)).toMatchObject({ error: { code: 'PROFILE_UNRELEASED', message: expect.stringContaining('is not a release of channel "pilot"') } });
      const allowed = ok(await line.run(['provision', '--port', second?.port as string, '--profile', local, '--allow-unreleased', '--json']));
      expect(allowed.outcome).toBe('passed');
      expect(allowed.release).toBeUndefined();

      // One byte changed in the stored artifact: the next sync refuses it with the reason, and so does its use.
      const bytes = await readFile(released?.path as string);
      const at = bytes.length - 2;
      bytes.writeUInt8((bytes.readUInt8(at) ^ 0x01) & 0xff, at);
      await writeFile(released?.path as string, bytes);
      const tampered = await line.run(['sync', '--once', '--json']);
      expect(tampered.code).toBe(1);
      const result = lastJsonLine(tampered.stdout);
      expect(result).toMatchObject({ ok: false, releases: { refused: [{ name: 'gateway-eu', version: '1.0.0', sha256, reason: expect.stringMatching(/changed after it was pulled: its SHA-256 is [0-9a-f]{64}, the release says/) }], held: 1 } });
      expect(result.reason).toMatch(/1 release\(s\) refused: gateway-eu 1\.0\.0: the stored artifact .* changed after it was pulled/);
      expect(result.error).toMatchObject({ code: 'RELEASE_REFUSED', message: expect.stringContaining('A release was refused: 1 release(s) refused: gateway-eu 1.0.0') });
      const use = await line.run(['provision', '--port', second?.port as string, '--profile', released?.path as string, '--json']);
      expect(use.code).toBe(2);
      expect(lastJsonLine(use.stdout)).toMatchObject({ error: { code: 'PROFILE_UNRELEASED', message: expect.stringContaining('changed after it was pulled') } });
      const after = ok(await line.run(['profile', 'list', '--json'])) as unknown as { profiles: Listed[] };
      expect(after.profiles.find((p) => p.source === 'release')).toMatchObject({ name: 'gateway-eu', refused: expect.stringContaining('changed after it was pulled') });

      const audit = JSON.parse((await line.run(['audit', 'list', '--json'])).stdout) as Array<{ action: string; subject: string; details: Record<string, unknown> }>;
      expect(audit.find((e) => e.action === 'profile.unreleased')).toMatchObject({ subject: local, details: { channel: 'pilot' } });
      expect(audit.find((e) => e.action === 'release.refused')).toMatchObject({ subject: 'profile gateway-eu 1.0.0', details: { channel: 'pilot', sha256 } });

      // Nothing already pulled is lost, and offline the station works from it: the firmware release is still held.
      await reg.close();
      registryStopped = true;
      const offline = await line.run(['sync', '--once', '--json', '--timeout', '2000']);
      expect(offline.code).toBe(1);
      expect(lastJsonLine(offline.stdout)).toMatchObject({ releases: { channel: 'pilot', pulled: [], refused: [], held: 1, offline: expect.stringContaining(reg.url) } });
      const index = JSON.parse(await readFile(join(line.dataDir, 'releases', 'index.json'), 'utf8')) as { releases: Array<{ manifest: { kind: string }; refused?: string }> };
      expect(index.releases.map((r) => [r.manifest.kind, r.refused === undefined])).toEqual([
        ['profile', false],
        ['firmware', true],
      ]);
    }, 300_000);
  });
}

describe('a station that follows a channel', () => {
  it('refuses a batch with a profile that is not a release, before any port is watched', async () => {
    const work = await mkdtemp(join(tmpdir(), 'fieldline-release-batch-'));
    try {
      const env = { FIELDLINE_DATA_DIR: join(work, 'station'), FIELDLINE_KEY_DIR: join(work, 'keys'), FIELDLINE_CA_PASSPHRASE: 'correct-horse-battery' };
      const follow = await runFieldline(['registry', 'follow', 'production', '--json'], env);
      expect(follow.code, follow.stderr).toBe(0);
      const batch = await runFieldline(['batch', '--ports', join(work, 'no-such-port'), '--profile', PROFILE, '--count', '1', '--json'], env);
      expect(batch.code).toBe(2);
      expect(lastJsonLine(batch.stdout)).toMatchObject({ error: { code: 'PROFILE_UNRELEASED', message: expect.stringContaining('is not a release of channel "production"') } });
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }, 60_000);
});
