/**
 * One pull of the followed channel (`fieldline sync`): first the stored artifacts are hashed again (a changed byte
 * makes its release refused from then on, with the reason), then what is new in the channel's feed is fetched,
 * checked — SHA-256, size, and the publisher's signature against the station's trust folder — and only then stored.
 * A refused release is recorded with its reason and never offered; nothing already pulled is dropped, and when the
 * registry is away the station keeps working from what it holds.
 */
import type { KeyObject } from 'node:crypto';
import type { Release, ReleaseKind } from '../contract/registry/releases';
import { FieldlineError, isFieldlineError } from '../errors';
import type { ReleaseClient } from './release-client';
import { loadReleaseIndex, releaseRefusal, saveReleaseIndex, storeArtifact, storedArtifactRefusal, type PulledRelease, type ReleaseIndex } from './release-store';

/** Pages of the feed read in one pull at most (500 releases each): a registry cannot keep a sync going for ever. */
const MAX_PAGES = 20;

export interface ReleaseRef {
  kind: ReleaseKind;
  name: string;
  version: string;
  sha256: string;
}

export interface PullResult {
  channel: string;
  pulled: ReleaseRef[];
  refused: Array<ReleaseRef & { reason: string }>;
  /** Usable releases of the channel held after the pull. */
  held: number;
  /** Why the registry could not be asked; what was pulled before stays in use. */
  offline?: string;
}

const refOf = (r: Pick<Release, 'manifest'>): ReleaseRef => ({ kind: r.manifest.kind, name: r.manifest.name, version: r.manifest.version, sha256: r.manifest.sha256 });

const sameRelease = (a: Pick<Release, 'manifest'>, b: Pick<Release, 'manifest'>): boolean =>
  a.manifest.channel === b.manifest.channel && a.manifest.kind === b.manifest.kind && a.manifest.name === b.manifest.name && a.manifest.version === b.manifest.version;

export interface PullOptions {
  dataDir: string;
  channel: string;
  client: ReleaseClient;
  trusted: readonly KeyObject[];
  now?: () => Date;
  /** Called for each release refused now (an audit entry). */
  onRefused?: (release: ReleaseRef & { reason: string }) => Promise<void> | void;
}

/** Marks stored releases whose bytes changed; answers those newly refused. */
async function recheckStored(dataDir: string, index: ReleaseIndex, channel: string): Promise<Array<ReleaseRef & { reason: string }>> {
  const refused: Array<ReleaseRef & { reason: string }> = [];
  for (const entry of index.releases) {
    if (entry.manifest.channel !== channel || entry.refused !== undefined) continue;
    const reason = await storedArtifactRefusal(dataDir, entry);
    if (reason !== undefined) {
      entry.refused = reason;
      refused.push({ ...refOf(entry), reason });
    }
  }
  return refused;
}

export async function pullReleases(options: PullOptions): Promise<PullResult> {
  const { dataDir, channel, client } = options;
  const now = options.now ?? (() => new Date());
  const index = await loadReleaseIndex(dataDir);
  const refused = await recheckStored(dataDir, index, channel);
  if (refused.length > 0) await saveReleaseIndex(dataDir, index);
  for (const r of refused) await options.onRefused?.(r);
  const pulled: ReleaseRef[] = [];
  let offline: string | undefined;
  try {
    for (let page = 0; page < MAX_PAGES; page++) {
      const feed = await client.feed(channel, index.cursors[channel]);
      for (const release of feed.releases) {
        if (release.manifest.channel !== channel) throw new FieldlineError('REGISTRY_BAD_REPLY', `the feed of ${channel} holds a release of ${release.manifest.channel}`);
        if (index.releases.some((held) => sameRelease(held, release) && held.manifest.sha256 === release.manifest.sha256)) continue;
        let bytes: Uint8Array | undefined;
        let reason: string | undefined;
        try {
          bytes = await client.artifact(release.manifest.sha256, release.manifest.size);
          reason = releaseRefusal(release, bytes, options.trusted, dataDir);
        } catch (err) {
          // More bytes than the release declares is this release's fault, not the network's: refused, and the pull goes on.
          if (!isFieldlineError(err, 'REGISTRY_BAD_REPLY')) throw err;
          reason = `the registry served another artifact than the release names: ${err.message}`;
        }
        const entry: PulledRelease = { manifest: release.manifest, signature: release.signature, publishedAt: release.publishedAt, pulledAt: now().toISOString() };
        if (reason === undefined && bytes !== undefined) {
          // The bytes first: the index never names an artifact that is not stored.
          await storeArtifact(dataDir, release.manifest, bytes);
          pulled.push(refOf(release));
        } else {
          const why = reason ?? 'no bytes';
          entry.refused = why;
          refused.push({ ...refOf(release), reason: why });
          await options.onRefused?.({ ...refOf(release), reason: why });
        }
        index.releases = [...index.releases.filter((held) => !sameRelease(held, release)), entry];
        index.cursors[channel] = feed.nextCursor;
        await saveReleaseIndex(dataDir, index);
      }
      index.cursors[channel] = feed.nextCursor;
      if (feed.releases.length === 0) break;
    }
    await saveReleaseIndex(dataDir, index);
  } catch (err) {
    if (!(err instanceof FieldlineError)) throw err;
    offline = err.message;
  }
  const held = index.releases.filter((r) => r.manifest.channel === channel && r.refused === undefined).length;
  return { channel, pulled, refused, held, ...(offline !== undefined ? { offline } : {}) };
}
