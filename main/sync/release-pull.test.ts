/**
 * The station's pull of a channel against a registry on each engine: what a trusted publisher signed is stored;
 * a release by an untrusted key, bytes the registry serves changed, or a stored copy changed later are refused with
 * the reason, and what was pulled before stays; an unreachable registry loses nothing.
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalReleaseManifest, type ReleaseManifest } from '../contract/registry/releases';
import { keyIdOf } from '../profiles/signature';
import { testEngines, type EngineTestRegistry } from '../testing/registry';
import { bindToken } from './registry-token';
import { ReleaseClient } from './release-client';
import { pullReleases } from './release-pull';
import { artifactPath, loadReleaseIndex } from './release-store';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

for (const engine of testEngines()) {
  describe.skipIf(engine.unavailable !== undefined)(`pulling releases on ${engine.title}`, () => {
    let reg: EngineTestRegistry;
    let dataDir: string;
    let client: ReleaseClient;
    const trusted = generateKeyPairSync('ed25519');
    const stranger = generateKeyPairSync('ed25519');

    beforeAll(async () => {
      reg = await engine.start();
      dataDir = await mkdtemp(join(tmpdir(), 'fieldline-release-pull-'));
      client = new ReleaseClient({ url: reg.url, token: bindToken(reg.url, reg.token) });
    }, 60_000);
    afterAll(async () => {
      await reg?.close();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    async function publish(name: string, text: string, key: { privateKey: KeyObject; publicKey: KeyObject }, channel = 'pilot'): Promise<ReleaseManifest> {
      const bytes = Buffer.from(text);
      expect((await client.putArtifact(sha256(bytes), bytes)).sha256).toBe(sha256(bytes));
      const manifest: ReleaseManifest = { kind: 'profile', name, version: '1.0.0', sha256: sha256(bytes), size: bytes.length, channel };
      const signature = sign(null, Buffer.from(canonicalReleaseManifest(manifest)), key.privateKey).toString('base64');
      await client.publish({
        manifest,
        signature: { algorithm: 'ed25519', keyId: keyIdOf(key.publicKey), signature },
        publicKey: key.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
      });
      return manifest;
    }

    /** Changes an artifact's stored bytes behind the registry's back. */
    const replaceBytes = (sha: string, text: string): Promise<void> => {
      const hex = Buffer.from(text).toString('hex');
      return reg.exec(engine.engine === 'sqlite' ? `UPDATE artifacts SET bytes = X'${hex}' WHERE sha256 = '${sha}'` : `UPDATE artifacts SET bytes = '\\x${hex}'::bytea WHERE sha256 = '${sha}'`);
    };

    const pull = () => pullReleases({ dataDir, channel: 'pilot', client, trusted: [trusted.publicKey] });

    it('stores what a trusted key signed, refuses another key and bytes changed at the registry, and keeps what it holds', async () => {
      const good = await publish('good', 'name: good\n', trusted);
      const foreign = await publish('foreign', 'name: foreign\n', stranger);
      const first = await pull();
      expect(first.pulled.map((r) => r.name)).toEqual(['good']);
      expect(first.refused).toEqual([expect.objectContaining({ name: 'foreign', reason: expect.stringMatching(/signed by key [0-9a-f]{16}, which is not among the trusted keys in .*trust/) })]);
      expect(await readFile(artifactPath(dataDir, good), 'utf8')).toBe('name: good\n');
      await expect(readFile(artifactPath(dataDir, foreign))).rejects.toThrow(/ENOENT/);

      // A registry whose stored bytes were changed behind its back: the station checks the hash, not the registry.
      const served = await publish('served', 'name: served\n', trusted);
      const bigger = await publish('bigger', 'name: bigger\n', trusted);
      await replaceBytes(served.sha256, 'name: evil\n');
      await replaceBytes(bigger.sha256, 'name: bigger\nand far more bytes than the release declares\n');
      const second = await pull();
      expect(second.pulled).toEqual([]);
      expect(second.refused).toEqual([
        expect.objectContaining({ name: 'served', reason: expect.stringContaining(`the release says ${served.sha256}`) }),
        expect.objectContaining({ name: 'bigger', reason: expect.stringContaining('the registry served another artifact than the release names') }),
      ]);
      expect(second.held).toBe(1);

      // Unreachable: nothing new, nothing lost.
      const offline = await pullReleases({ dataDir, channel: 'pilot', client: new ReleaseClient({ url: 'http://127.0.0.1:1', token: bindToken('http://127.0.0.1:1', 'flt_x') }), trusted: [trusted.publicKey] });
      expect(offline).toMatchObject({ pulled: [], refused: [], held: 1, offline: expect.stringContaining('127.0.0.1:1') });

      // A stored copy changed later: refused at the next pull, the rest kept.
      await writeFile(artifactPath(dataDir, good), 'name: evil\n');
      const third = await pull();
      expect(third.refused).toEqual([expect.objectContaining({ name: 'good', reason: expect.stringContaining('changed after it was pulled') })]);
      expect(third.held).toBe(0);
      const index = await loadReleaseIndex(dataDir);
      expect(index.releases.map((r) => [r.manifest.name, r.refused !== undefined])).toEqual([
        ['good', true],
        ['foreign', true],
        ['served', true],
        ['bigger', true],
      ]);
    });
  });
}
