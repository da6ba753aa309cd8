/**
 * Issue #16's service done-when, literally, through the real CLI: two virtual gateways provisioned with
 * `--var site=berlin-1` while a registry runs; a second data directory prepares a visit kit for berlin-1; the
 * registry stops; `service diagnose` names the previous run and its profile without being told the profile, and
 * passes; a setting changed by hand is restored by `service remediate`, whose service record `sync --once` delivers
 * once the registry is back and `GET /v1/devices/{serial}` shows; `service renew` installs a certificate that
 * `openssl verify` accepts against the station chain, and the old one is in `fieldline ca revoked`.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type RunningSqliteRegistry } from '../../registry/server';
import { issueToken } from '../../registry/tokens';
import { lastJsonLine, REPO_ROOT, runFieldline, type CliRun } from '../testing/cli';
import { startTestRegistry } from '../testing/registry';
import { createCore } from '../core/core';
import { silentLogger } from '../log';
import { openssl } from '../testing/pki';
import { spawnSimulator, type SpawnedSimulator } from '../testing/sim-process';

interface Station {
  dataDir: string;
  run(args: string[], input?: string): Promise<CliRun>;
}

interface ServiceJson {
  action: string;
  outcome: string;
  basis: { runId: string; source: string; startedAt: string; outcome: string; profile: { name: string; version: string; sha256: string }; profileFound?: { source: string; path: string } };
  record: { id: string; outcome: string; device: { serial: string }; certificate?: { serial: string; fingerprintSha256: string }; service: { action: string; operator: string; basedOnRunId: string; basedOnSource: string; before: Record<string, unknown>; after: Record<string, unknown> } };
  diagnostics: Array<{ name: string; passed: boolean }>;
  fixed?: Array<{ kind: string; name: string }>;
  revokedOld?: { serial: string; revoked: boolean; reason: string };
}

describe('fieldline service: a field visit without a connection', () => {
  let work: string;
  let sim: SpawnedSimulator;
  let registry: RunningSqliteRegistry | undefined;
  let dbFile: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'fieldline-service-'));
    dbFile = join(work, 'registry.db');
    [registry, sim] = await Promise.all([startRegistry({ dbFile, host: '127.0.0.1' }), spawnSimulator({ count: 2, baud: 0, extra: ['--delay', 'reboot=100'] })]);
  }, 60_000);
  afterAll(async () => {
    await sim?.stop();
    await registry?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const station = (name: string): Station => {
    const dataDir = join(work, name);
    const env = { FIELDLINE_DATA_DIR: dataDir, FIELDLINE_KEY_DIR: join(work, `${name}-keys`), FIELDLINE_CA_PASSPHRASE: 'correct-horse-battery' };
    return { dataDir, run: (args, input) => runFieldline(args, env, 120_000, input) };
  };
  const ok = (run: CliRun): Record<string, unknown> => {
    expect(run.code, run.stderr + run.stdout.slice(-2000)).toBe(0);
    return lastJsonLine(run.stdout);
  };
  const login = async (s: Station, name: string): Promise<void> => {
    if (!registry) throw new Error('no registry');
    ok(await s.run(['registry', 'login', '--url', registry.url, '--token-stdin', '--json'], await issueToken(registry.repository, name)));
  };

  it('diagnoses and remediates from the kit offline, syncs the service record later, renews the certificate', async () => {
    // A profile whose site variable takes berlin-1 (gateway-eu's pattern wants MUC-3), published as a release so the
    // registry holds its bytes for the kit.
    const profileFile = join(work, 'gateway-site.yaml');
    const text = (await readFile(join(REPO_ROOT, 'resources/profiles/gateway-eu.yaml'), 'utf8'))
      .replace('name: gateway-eu', 'name: gateway-site')
      .replace('pattern: "[A-Z]{3}-[0-9]+"', 'pattern: "[a-z]+-[0-9]+"')
      .replace('default: DEV-1', 'default: dev-1');
    await writeFile(profileFile, text);

    const publisher = station('publisher');
    const line = station('line');
    const visit = station('visit');
    await mkdir(publisher.dataDir, { recursive: true });
    ok(await publisher.run(['profile', 'keygen', '--out', join(publisher.dataDir, 'publisher'), '--json']));
    for (const s of [line, visit]) {
      await mkdir(join(s.dataDir, 'trust'), { recursive: true });
      await copyFile(join(publisher.dataDir, 'publisher.pub.pem'), join(s.dataDir, 'trust', 'publisher.pub.pem'));
    }
    await login(publisher, 'publisher');
    await login(line, 'line-1');
    await login(visit, 'visit-laptop');
    ok(await line.run(['ca', 'init', '--json']));
    ok(await publisher.run(['release', 'publish', 'profile', profileFile, '--channel', 'field', '--json']));
    ok(await line.run(['registry', 'follow', 'field', '--json']));
    ok(await line.run(['sync', '--once', '--json']));
    const listed = ok(await line.run(['profile', 'list', '--json'])) as unknown as { profiles: Array<{ name: string; source: string; path: string }> };
    const released = listed.profiles.find((p) => p.name === 'gateway-site' && p.source === 'release');
    expect(released).toBeDefined();

    const provisioned: Array<{ id: string; serial: string; certificate: { serial: string } }> = [];
    for (const gateway of sim.gateways) {
      const record = ok(await line.run(['provision', '--port', gateway.port, '--profile', released?.path as string, '--var', 'site=berlin-1', '--json']));
      expect(record).toMatchObject({ outcome: 'passed', variables: { site: 'berlin-1' } });
      provisioned.push({ id: record.id as string, serial: (record.device as { serial: string }).serial, certificate: record.certificate as { serial: string } });
    }
    ok(await line.run(['sync', '--once', '--json']));

    // The second data directory: a technician's laptop that never provisioned these gateways.
    const kit = ok(await visit.run(['visit', 'prepare', '--site', 'berlin-1', '--json']));
    expect(kit).toMatchObject({ prepared: true, scope: { kind: 'site', site: 'berlin-1' }, counts: { devices: 2, records: 2, profiles: 1 } });
    const port = sim.gateways[0]!.port;
    const { id: runId, serial } = provisioned[0]!;

    // Offline from here: the registry is stopped.
    const registryPort = registry!.port;
    await registry!.close();
    registry = undefined;

    const diagnosed = ok(await visit.run(['service', 'diagnose', '--port', port, '--json'])) as unknown as ServiceJson;
    expect(diagnosed).toMatchObject({
      action: 'diagnose',
      outcome: 'passed',
      basis: { runId, source: 'kit', outcome: 'passed', profile: { name: 'gateway-site', version: '1.0.0' }, profileFound: { source: 'kit' } },
      record: { outcome: 'passed', device: { serial }, service: { action: 'diagnose', basedOnRunId: runId, basedOnSource: 'kit' } },
    });
    expect(diagnosed.diagnostics.length).toBeGreaterThan(0);
    expect(diagnosed.diagnostics.every((d) => d.passed)).toBe(true);
    const text1 = await visit.run(['service', 'diagnose', '--port', port]);
    expect(text1.code, text1.stderr).toBe(0);
    expect(text1.stdout).toContain(`previous run: ${runId}`);
    expect(text1.stdout).toContain('profile: gateway-site@1.0.0 (visit kit:');

    ok(await visit.run(['smp', 'settings', 'set', 'fieldline/max_peers', '3', '--as', 'u8', '--save', '--port', port, '--json']));
    // Remediate asks first; with no terminal to ask on, it refuses at once and says to pass --yes.
    const refused = await visit.run(['service', 'remediate', '--port', port, '--json']);
    expect(refused.code).toBe(2);
    expect(lastJsonLine(refused.stdout)).toMatchObject({ error: { code: 'USAGE', hint: expect.stringContaining('--yes') } });
    const remediated = ok(await visit.run(['service', 'remediate', '--port', port, '--yes', '--json'])) as unknown as ServiceJson;
    expect(remediated).toMatchObject({ action: 'remediate', outcome: 'passed', fixed: [{ kind: 'setting', name: 'fieldline/max_peers' }] });
    expect(remediated.record.service.before).toMatchObject({ settings: { 'fieldline/max_peers': '03' } });
    expect(remediated.record.service.after).toMatchObject({ settings: { 'fieldline/max_peers': '08' } });
    expect(ok(await visit.run(['smp', 'settings', 'get', 'fieldline/max_peers', '--as', 'u8', '--port', port, '--json']))).toMatchObject({ value: 8 });

    // The registry back (same database, same address): the service records reach the device's history.
    registry = await startRegistry({ dbFile, host: '127.0.0.1', port: registryPort });
    ok(await visit.run(['sync', '--once', '--json']));
    const reply = await fetch(`${registry.url}/v1/devices/${encodeURIComponent(serial)}`, { headers: { authorization: `Bearer ${await issueToken(registry.repository, 'reader')}` } });
    expect(reply.status).toBe(200);
    const device = (await reply.json()) as { runs: Array<{ id: string }>; serviceRecords: Array<{ id: string; service: { action: string } }> };
    expect(device.runs.map((r) => r.id)).toContain(runId);
    expect(device.serviceRecords.map((r) => [r.id, r.service.action])).toEqual(
      expect.arrayContaining([
        [diagnosed.record.id, 'diagnose'],
        [remediated.record.id, 'remediate'],
      ]),
    );

    // Renewal on the station whose CA issued the old certificate: it can revoke it.
    const renewed = ok(await line.run(['service', 'renew', '--port', port, '--json'])) as unknown as ServiceJson;
    const old = provisioned[0]!.certificate.serial;
    expect(renewed).toMatchObject({ action: 'renew', outcome: 'passed', revokedOld: { serial: old, revoked: true } });
    expect(renewed.record.certificate?.serial).not.toBe(old);
    const identity = ok(await line.run(['smp', 'identity', 'info', '--port', port, '--json'])) as { cert?: string };
    const leaf = join(work, 'renewed.pem');
    await writeFile(leaf, identity.cert ?? '');
    const ca = ok(await line.run(['ca', 'show', '--json'])) as { root: { path: string }; intermediate: { path: string } };
    const verified = await openssl(['verify', '-CAfile', ca.root.path, '-untrusted', ca.intermediate.path, leaf]);
    expect(verified.stdout + verified.stderr).toContain(': OK');
    const revoked = JSON.parse((await line.run(['ca', 'revoked', '--json'])).stdout) as Array<{ serial: string; reason: string }>;
    expect(revoked).toContainEqual(expect.objectContaining({ serial: old, reason: 'superseded' }));

    // The technician's laptop has a CA of its own: it renews, but the certificate it replaces is not its to revoke.
    ok(await visit.run(['ca', 'init', '--json']));
    const foreign = ok(await visit.run(['service', 'renew', '--port', port, '--json'])) as unknown as ServiceJson;
    expect(foreign).toMatchObject({
      outcome: 'passed',
      basis: { runId, source: 'kit' },
      revokedOld: { serial: renewed.record.certificate?.serial, revoked: false, reason: expect.stringContaining('not issued by this station') },
    });
    const visitRevoked = await visit.run(['ca', 'revoked', '--json']);
    expect(JSON.parse(visitRevoked.stdout)).toEqual([]);
  }, 300_000);
});

describe('fieldline service update', () => {
  let work: string;
  let sim: SpawnedSimulator;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'fieldline-service-update-'));
    // Image 1.1.0 is a bad release on the first gateway: its selftest fails while it runs there.
    sim = await spawnSimulator({ count: 2, baud: 0, faults: ['fail-diag:name=selftest,image=1.1.0,gw=0'], extra: ['--delay', 'reboot=100'] });
  }, 60_000);
  afterAll(async () => {
    await sim?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('reverts an image that fails the diagnostics: MCUboot boots the confirmed image again, and the record says so', async () => {
    const env = { FIELDLINE_DATA_DIR: join(work, 'station'), FIELDLINE_KEY_DIR: join(work, 'keys'), FIELDLINE_CA_PASSPHRASE: 'correct-horse-battery' };
    const run = (args: string[]): Promise<CliRun> => runFieldline(args, env);
    const port = sim.gateways[0]!.port;
    expect((await run(['ca', 'init', '--json'])).code).toBe(0);
    // A profile of the station's library, where the service finds it again by its hash.
    const library = join(work, 'station', 'profiles');
    await mkdir(library, { recursive: true });
    await copyFile(join(REPO_ROOT, 'resources/profiles/gateway-eu.yaml'), join(library, 'gateway-eu.yaml'));
    const provisioned = await run(['provision', '--port', port, '--profile', join(library, 'gateway-eu.yaml'), '--json']);
    expect(provisioned.code, provisioned.stderr).toBe(0);
    const image = join(work, 'app-1.1.0.bin');
    expect((await run(['sim', 'make-image', '--version', '1.1.0', '--size', '65536', '-o', image, '--json'])).code).toBe(0);

    const updated = await run(['service', 'update', '--port', port, '--image', image, '--json']);
    expect(updated.code, updated.stderr + updated.stdout).toBe(1);
    const result = lastJsonLine(updated.stdout) as unknown as ServiceJson & {
      record: { error?: { code: string }; steps: Array<{ name: string; outcome: string }>; rollback?: { actions: Array<{ action: string; outcome: string; verified?: string }> }; device: { firmwareBefore?: string; firmwareAfter?: string } };
    };
    expect(result).toMatchObject({ action: 'update', outcome: 'failed', record: { error: { code: 'DIAGNOSTICS_FAILED' }, device: { firmwareBefore: '1.0.0', firmwareAfter: '1.0.0' } } });
    expect(result.record.steps.map((s) => [s.name, s.outcome])).toEqual([
      ['identify', 'passed'],
      ['firmware', 'passed'],
      ['diagnostics', 'failed'],
    ]);
    expect(result.diagnostics.find((d) => d.name === 'selftest')).toMatchObject({ passed: false });
    expect(result.record.rollback?.actions).toEqual([expect.objectContaining({ action: 'revert firmware', outcome: 'done', verified: '1.0.0 active, confirmed' })]);
    // What was read back, not what was meant: the device runs 1.0.0, confirmed, after the action.
    expect(result.record.service.after).toMatchObject({ firmware: { version: '1.0.0', confirmed: true } });
    const slots = lastJsonLine((await run(['smp', 'image', 'list', '--port', port, '--json'])).stdout) as unknown;
    expect(JSON.stringify(slots)).toContain('"version":"1.0.0"');
    const shown = await run(['runs', 'show', result.record.id, '--json']);
    expect(lastJsonLine(shown.stdout)).toMatchObject({ id: result.record.id, outcome: 'failed', service: { action: 'update' } });
  }, 180_000);
});

describe('fieldline service diagnose on an injected identity', () => {
  it('checks the certificate file the provisioning run issued (inject mode has no device key to challenge)', async () => {
    const work = await mkdtemp(join(tmpdir(), 'fieldline-service-inject-'));
    const sim = await spawnSimulator({ count: 1, baud: 0 });
    try {
      const env = { FIELDLINE_DATA_DIR: join(work, 'station'), FIELDLINE_KEY_DIR: join(work, 'keys'), FIELDLINE_CA_PASSPHRASE: 'correct-horse-battery' };
      const run = (args: string[]): Promise<CliRun> => runFieldline(args, env);
      const port = sim.gateways[0]!.port;
      expect((await run(['ca', 'init', '--json'])).code).toBe(0);
      const library = join(work, 'station', 'profiles');
      await mkdir(library, { recursive: true });
      await copyFile(join(REPO_ROOT, 'resources/profiles/gateway-inject.yaml'), join(library, 'gateway-inject.yaml'));
      const provisioned = await run(['provision', '--port', port, '--profile', join(library, 'gateway-inject.yaml'), '--json']);
      expect(provisioned.code, provisioned.stderr).toBe(0);
      const diagnosed = await run(['service', 'diagnose', '--port', port, '--json']);
      expect(diagnosed.code, diagnosed.stdout).toBe(0);
      const result = lastJsonLine(diagnosed.stdout) as unknown as ServiceJson;
      expect(result).toMatchObject({ outcome: 'passed', basis: { runId: lastJsonLine(provisioned.stdout).id, profile: { name: 'gateway-inject' } } });
      expect(result.diagnostics.find((d) => d.name === 'identity')).toMatchObject({ passed: true });
    } finally {
      await sim.stop();
      await rm(work, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('fieldline service update from the current release', () => {
  it('finds the release of the profile the device was provisioned with, installs its firmware by hash, tests, diagnoses and confirms it', async () => {
    const work = await mkdtemp(join(tmpdir(), 'fieldline-service-release-'));
    const [reg, sim] = await Promise.all([startTestRegistry(), spawnSimulator({ count: 1, baud: 0, extra: ['--delay', 'reboot=100'] })]);
    try {
      const stationOf = (name: string) => {
        const env = { FIELDLINE_DATA_DIR: join(work, name), FIELDLINE_KEY_DIR: join(work, `${name}-keys`), FIELDLINE_CA_PASSPHRASE: 'correct-horse-battery' };
        return { dataDir: join(work, name), run: (args: string[], input?: string): Promise<CliRun> => runFieldline(args, env, 120_000, input) };
      };
      const ok = (run: CliRun): Record<string, unknown> => {
        expect(run.code, run.stderr + run.stdout.slice(-2000)).toBe(0);
        return lastJsonLine(run.stdout);
      };
      const publisher = stationOf('publisher');
      const line = stationOf('line');
      await mkdir(join(line.dataDir, 'trust'), { recursive: true });
      await mkdir(publisher.dataDir, { recursive: true });
      ok(await publisher.run(['profile', 'keygen', '--out', join(publisher.dataDir, 'publisher'), '--json']));
      await copyFile(join(publisher.dataDir, 'publisher.pub.pem'), join(line.dataDir, 'trust', 'publisher.pub.pem'));
      ok(await publisher.run(['registry', 'login', '--url', reg.url, '--token-stdin', '--json'], await reg.addToken('publisher')));
      ok(await line.run(['registry', 'login', '--url', reg.url, '--token-stdin', '--json'], await reg.addToken('line-1')));
      ok(await line.run(['ca', 'init', '--json']));
      ok(await line.run(['registry', 'follow', 'field', '--json']));

      // 1.0.0 is released and provisioned; then 1.1.0 is released with a firmware image.
      ok(await publisher.run(['release', 'publish', 'profile', join(REPO_ROOT, 'resources/profiles/gateway-eu.yaml'), '--channel', 'field', '--json']));
      ok(await line.run(['sync', '--once', '--json']));
      const listed = ok(await line.run(['profile', 'list', '--json'])) as unknown as { profiles: Array<{ name: string; source: string; path: string }> };
      const v1 = listed.profiles.find((p) => p.name === 'gateway-eu' && p.source === 'release');
      const port = sim.gateways[0]!.port;
      ok(await line.run(['provision', '--port', port, '--profile', v1?.path as string, '--json']));

      const image = join(work, 'app-1.1.0.bin');
      const made = ok(await line.run(['sim', 'make-image', '--version', '1.1.0', '--size', '65536', '-o', image, '--json']));
      const { createHash } = await import('node:crypto');
      const sha256 = createHash('sha256').update(await readFile(image)).digest('hex');
      expect(made.version).toBe('1.1.0');
      const v2 = join(work, 'gateway-eu-1.1.0.yaml');
      await writeFile(
        v2,
        (await readFile(join(REPO_ROOT, 'resources/profiles/gateway-eu.yaml'), 'utf8'))
          .replace('version: 1.0.0', 'version: 1.1.0')
          .replace('firmware:\n  minVersion: 1.0.0', `firmware:\n  minVersion: 1.1.0\n  image: app-1.1.0.bin\n  sha256: ${sha256}`),
      );
      ok(await publisher.run(['release', 'publish', 'firmware', image, '--version', '1.1.0', '--channel', 'field', '--json']));
      ok(await publisher.run(['release', 'publish', 'profile', v2, '--channel', 'field', '--json']));
      ok(await line.run(['sync', '--once', '--json']));

      // On a station that follows a channel, an image that is not one of its firmware releases is refused before
      // anything is recorded, as a run's image is.
      const stray = join(work, 'app-1.2.0.bin');
      ok(await line.run(['sim', 'make-image', '--version', '1.2.0', '--size', '65536', '-o', stray, '--json']));
      const runsBefore = (JSON.parse((await line.run(['runs', 'list', '--json'])).stdout) as unknown[]).length;
      const refused = await line.run(['service', 'update', '--port', port, '--image', stray, '--json']);
      expect(refused.code, refused.stdout).toBe(2);
      expect(lastJsonLine(refused.stdout)).toMatchObject({ error: { code: 'PROFILE_UNRELEASED', message: expect.stringContaining('is not a firmware release of channel "field"') } });
      expect(JSON.parse((await line.run(['runs', 'list', '--json'])).stdout)).toHaveLength(runsBefore);

      // What the device page shows before the update: the release and its firmware as a to-do.
      const core = createCore({ dataDir: line.dataDir, logger: silentLogger });
      try {
        const seen = await core.service.inspect({ target: { kind: 'serial', path: port } });
        expect(seen.release).toEqual({ name: 'gateway-eu', version: '1.1.0', firmware: '1.1.0' });
        expect(seen.todos).toContainEqual({ kind: 'firmware', message: 'firmware 1.0.0 → 1.1.0 released', action: 'update' });
        expect(seen.identity).toMatchObject({ revoked: false, issuedHere: true });
      } finally {
        await core.close();
      }

      const updated = ok(await line.run(['service', 'update', '--port', port, '--json'])) as unknown as ServiceJson & {
        record: { steps: Array<{ name: string; outcome: string; evidence: Record<string, unknown> }>; device: { firmwareBefore?: string; firmwareAfter?: string } };
      };
      expect(updated).toMatchObject({ action: 'update', outcome: 'passed', record: { device: { firmwareBefore: '1.0.0', firmwareAfter: '1.1.0' } } });
      expect(updated.record.steps.map((s) => [s.name, s.outcome])).toEqual([
        ['identify', 'passed'],
        ['firmware', 'passed'],
        ['diagnostics', 'passed'],
        ['finalize', 'passed'],
      ]);
      expect(updated.record.steps[1]?.evidence).toMatchObject({ from: 'release gateway-eu@1.1.0', installed: { version: '1.1.0' } });
      expect(updated.record.service.before).toMatchObject({ firmware: { version: '1.0.0', confirmed: true } });
      expect(updated.record.service.after).toMatchObject({ firmware: { version: '1.1.0', confirmed: true } });
    } finally {
      await sim.stop();
      await reg.close();
      await rm(work, { recursive: true, force: true });
    }
  }, 240_000);
});

describe('fieldline service over Bluetooth LE', () => {
  it('diagnoses and remediates a gateway named by --ble, through the virtual adapter', async () => {
    const work = await mkdtemp(join(tmpdir(), 'fieldline-service-ble-'));
    const sim = await spawnSimulator({ count: 1, ble: {}, extra: ['--delay', 'reboot=100'] });
    try {
      const env = { FIELDLINE_DATA_DIR: join(work, 'station'), FIELDLINE_CA_PASSPHRASE: 'correct-horse-battery', FIELDLINE_BLE_SOCKET: sim.socketPath, FIELDLINE_BLE_ADAPTER: 'virtual' };
      const run = (args: string[]): Promise<CliRun> => runFieldline(args, env);
      const ok = (r: CliRun): Record<string, unknown> => {
        expect(r.code, r.stderr + r.stdout.slice(-2000)).toBe(0);
        return lastJsonLine(r.stdout);
      };
      const name = sim.gateways[0]!.name!;
      ok(await run(['ca', 'init', '--json']));
      const library = join(work, 'station', 'profiles');
      await mkdir(library, { recursive: true });
      await copyFile(join(REPO_ROOT, 'resources/profiles/gateway-eu.yaml'), join(library, 'gateway-eu.yaml'));
      const provisioned = ok(await run(['provision', '--ble', name, '--profile', join(library, 'gateway-eu.yaml'), '--json']));
      const diagnosed = ok(await run(['service', 'diagnose', '--ble', name, '--json'])) as unknown as ServiceJson;
      expect(diagnosed).toMatchObject({ outcome: 'passed', basis: { runId: provisioned.id, source: 'store' } });
      ok(await run(['smp', 'settings', 'set', 'fieldline/telemetry', '0', '--as', 'bool', '--save', '--ble', name, '--json']));
      const remediated = ok(await run(['service', 'remediate', '--ble', name, '--yes', '--json'])) as unknown as ServiceJson;
      expect(remediated).toMatchObject({ outcome: 'passed', fixed: [{ kind: 'setting', name: 'fieldline/telemetry' }] });
    } finally {
      await sim.stop();
      await rm(work, { recursive: true, force: true });
    }
  }, 120_000);
});
