/**
 * `fieldline visit prepare`: pulls from the registry everything a field-service visit needs into the data
 * directory's visit kit (visit-store.ts) — per device its registry reply (runs and service records, with certificates,
 * configuration hash, profile and firmware), the profiles those runs were provisioned with (when the registry holds
 * them), the newest releases of their profiles and firmware (verified against this station's trusted publishers, as a
 * pull is), and every station's revocation list. Everything is written to a new kit folder and made current only
 * when all of it arrived: a registry that goes away or answers nonsense midway leaves the previous kit as it was.
 */
import type { KeyObject } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { LIMITS, type DeviceReply } from '../contract/registry/api';
import type { Release, ReleaseKind } from '../contract/registry/releases';
import { FieldlineError } from '../errors';
import { withDirLock } from '../pki/dir-lock';
import { LOAD_LIMITS } from '../profiles/limits';
import type { RegistryClient } from './registry-client';
import type { ReleaseClient } from './release-client';
import { releaseRefusal, sha256Of } from './release-store';
import { replaceVisitKit, visitDir, VISIT_LIMITS, type VisitManifest } from './visit-store';

/** Pages of a channel's feed read at most (as a pull does): a registry cannot keep a prepare going for ever. */
const MAX_FEED_PAGES = 20;

export type VisitScope = { site: string } | { devices: string[] };

export interface PrepareVisitOptions {
  dataDir: string;
  client: Pick<RegistryClient, 'url' | 'device' | 'devicesAtSite' | 'revocations'>;
  releases: Pick<ReleaseClient, 'feed' | 'artifact' | 'heldArtifact'>;
  scope: VisitScope;
  /** The channel this station follows; without one, the channels the devices' runs name. */
  channel?: string;
  /** This station's trusted publisher keys: a release that does not verify against them is left out. */
  trusted: readonly KeyObject[];
  now?: () => Date;
  /** One line per step, for a technician watching. */
  onProgress?: (line: string) => void;
}

/** What the devices' records ask of the kit, gathered while their files are written (nothing else is kept). */
interface Wanted {
  profileHashes: Map<string, { name: string; version: string }>;
  profileNames: Set<string>;
  firmwareNames: Set<string>;
  channels: Set<string>;
}

async function serialsAtSite(client: PrepareVisitOptions['client'], site: string, progress: (line: string) => void): Promise<string[]> {
  const serials = new Set<string>();
  let cursor: string | undefined;
  // One page more than the cap allows is enough to know it is over it.
  for (let page = 0; page <= Math.ceil(VISIT_LIMITS.devices / LIMITS.pageDevices); page++) {
    const reply = await client.devicesAtSite(site, cursor);
    for (const d of reply.devices) {
      if (d.site !== site) throw new FieldlineError('REGISTRY_BAD_REPLY', `asked for the devices at site "${site}", the registry listed ${d.serial} at "${d.site}"`);
      serials.add(d.serial);
    }
    if (serials.size > VISIT_LIMITS.devices) throw new FieldlineError('INVALID_ARGUMENT', `site "${site}" has more than ${VISIT_LIMITS.devices} devices; prepare the visit with --devices for the ones you will service`);
    progress(`site ${site}: ${serials.size} device(s) listed`);
    if (reply.nextCursor === undefined || reply.devices.length === 0) return [...serials];
    cursor = reply.nextCursor;
  }
  throw new FieldlineError('REGISTRY_BAD_REPLY', `the registry's list of the devices at site "${site}" does not end`);
}

function gather(reply: DeviceReply, wanted: Wanted): void {
  for (const record of [...reply.runs, ...reply.serviceRecords]) {
    const sha = record.profile.sha256.toLowerCase();
    if (/^[0-9a-f]{64}$/.test(sha) && !wanted.profileHashes.has(sha)) wanted.profileHashes.set(sha, { name: record.profile.name, version: record.profile.version });
    wanted.profileNames.add(record.profile.name);
    if (record.release) {
      wanted.channels.add(record.release.channel);
      if (record.release.firmware) wanted.firmwareNames.add(record.release.firmware.name);
    }
  }
}

/** The newest release per kind and name of one channel, in the feed's (publication) order. */
async function newestOfChannel(releases: PrepareVisitOptions['releases'], channel: string): Promise<Map<string, Release>> {
  const newest = new Map<string, Release>();
  let since: string | undefined;
  for (let page = 0; page < MAX_FEED_PAGES; page++) {
    const feed = await releases.feed(channel, since);
    for (const release of feed.releases) {
      if (release.manifest.channel !== channel) throw new FieldlineError('REGISTRY_BAD_REPLY', `the feed of ${channel} holds a release of ${release.manifest.channel}`);
      newest.set(`${release.manifest.kind}\n${release.manifest.name}`, release);
    }
    if (feed.releases.length === 0 || feed.nextCursor === since) break;
    since = feed.nextCursor;
  }
  return newest;
}

/** One prepare at a time per data directory: a second would remove the first's kit folder while it is written. */
function withVisitLock<T>(dataDir: string, job: () => Promise<T>): Promise<T> {
  return withDirLock(visitDir(dataDir), job, (lock) => new FieldlineError('STORE_BUSY', `another \`fieldline visit prepare\` is writing the visit kit (${lock}); try again when it has finished`));
}

const extension = (kind: ReleaseKind): string => (kind === 'profile' ? 'yaml' : 'bin');

export async function prepareVisit(options: PrepareVisitOptions): Promise<VisitManifest> {
  const { dataDir, client, releases } = options;
  const progress = options.onProgress ?? (() => undefined);
  const now = options.now ?? (() => new Date());
  await mkdir(visitDir(dataDir), { recursive: true, mode: 0o700 });
  return withVisitLock(dataDir, () =>
    replaceVisitKit(dataDir, async (write) => {
      const scope = options.scope;
      let serials: string[];
      if ('site' in scope) {
        progress(`asking ${client.url} for the devices at site ${scope.site}`);
        serials = await serialsAtSite(client, scope.site, progress);
        if (serials.length === 0) throw new FieldlineError('VISIT_NO_DEVICES', `no devices at site "${scope.site}" in ${client.url}`);
      } else {
        serials = [...new Set(scope.devices)];
        if (serials.length > VISIT_LIMITS.devices) throw new FieldlineError('INVALID_ARGUMENT', `${serials.length} devices asked for; a kit holds at most ${VISIT_LIMITS.devices}`);
      }

      const wanted: Wanted = { profileHashes: new Map(), profileNames: new Set(), firmwareNames: new Set(), channels: new Set() };
      const devices: VisitManifest['devices'] = [];
      const missing: string[] = [];
      for (const [i, serial] of serials.entries()) {
        const reply = await client.device(serial);
        if (!reply) {
          missing.push(serial);
          progress(`device ${i + 1}/${serials.length} ${serial}: not in the registry`);
          continue;
        }
        if (reply.serial !== serial) throw new FieldlineError('REGISTRY_BAD_REPLY', `asked for device ${serial}, the registry answered with ${reply.serial}`);
        const file = `devices/${devices.length}.json`;
        await write(file, JSON.stringify(reply));
        gather(reply, wanted);
        devices.push({ serial, ...(reply.site !== undefined ? { site: reply.site } : {}), file, runs: reply.runs.length, serviceRecords: reply.serviceRecords.length });
        progress(`device ${i + 1}/${serials.length} ${serial}: ${reply.runs.length} run(s), ${reply.serviceRecords.length} service record(s)`);
      }
      if (devices.length === 0) throw new FieldlineError('VISIT_NO_DEVICES', `none of the ${serials.length} device(s) asked for is in ${client.url}: ${serials.slice(0, 5).join(', ')}${serials.length > 5 ? ', …' : ''}`);

      const warnings: string[] = [];
      const artifacts: VisitManifest['artifacts'] = [];
      const addArtifact = async (kind: ReleaseKind, sha256: string, bytes: Uint8Array, release?: NonNullable<VisitManifest['artifacts'][number]['release']>): Promise<void> => {
        if (artifacts.length >= VISIT_LIMITS.artifacts) throw new FieldlineError('INVALID_ARGUMENT', `more than ${VISIT_LIMITS.artifacts} profiles and firmware images for one kit; prepare it for fewer devices`);
        const file = `artifacts/${sha256}.${extension(kind)}`;
        const same = artifacts.find((a) => a.file === file);
        if (!same) await write(file, bytes);
        // A profile a device was provisioned with that is also the newest release: one entry, named as the release.
        if (same && same.release === undefined) same.release = release;
        else artifacts.push({ kind, sha256, size: bytes.length, file, ...(release ? { release } : {}) });
      };

      // The profiles the devices were provisioned with, by the hash their runs recorded.
      for (const [sha256, named] of wanted.profileHashes) {
        const bytes = await releases.heldArtifact(sha256, LOAD_LIMITS.profileBytes);
        if (!bytes) {
          warnings.push(`profile ${named.name} ${named.version} (${sha256.slice(0, 12)}…) is not in the registry`);
          progress(`profile ${named.name} ${named.version}: not in the registry`);
          continue;
        }
        if (sha256Of(bytes) !== sha256) throw new FieldlineError('REGISTRY_BAD_REPLY', `the registry served other bytes for artifact ${sha256}`);
        await addArtifact('profile', sha256, bytes);
        progress(`profile ${named.name} ${named.version} (${sha256.slice(0, 12)}…)`);
      }

      // The releases the devices should run: the followed channel's newest, else those of the channels their runs name.
      const channels = options.channel !== undefined ? [options.channel] : [...wanted.channels].sort();
      const latest = new Map<string, Release>();
      for (const channel of channels) {
        for (const [key, release] of await newestOfChannel(releases, channel)) {
          const known = latest.get(key);
          if (!known || known.publishedAt < release.publishedAt) latest.set(key, release);
        }
      }
      for (const release of latest.values()) {
        const m = release.manifest;
        if (!(m.kind === 'profile' ? wanted.profileNames : wanted.firmwareNames).has(m.name)) continue;
        let bytes: Uint8Array;
        try {
          bytes = await releases.artifact(m.sha256, m.size);
        } catch (err) {
          if (!(err instanceof FieldlineError) || err.code !== 'REGISTRY_BAD_REPLY') throw err;
          bytes = new Uint8Array();
        }
        const refusal = releaseRefusal(release, bytes, options.trusted, dataDir);
        if (refusal !== undefined) {
          warnings.push(`${m.kind} release ${m.name} ${m.version} (${m.channel}) left out: ${refusal}`);
          progress(`release ${m.kind} ${m.name} ${m.version} (${m.channel}): left out — ${refusal}`);
          continue;
        }
        await addArtifact(m.kind, m.sha256, bytes, { channel: m.channel, name: m.name, version: m.version, publishedAt: release.publishedAt });
        progress(`release ${m.kind} ${m.name} ${m.version} (${m.channel})`);
      }

      const { lists } = await client.revocations();
      if (lists.length > VISIT_LIMITS.revocationLists) throw new FieldlineError('REGISTRY_BAD_REPLY', `the registry sent ${lists.length} revocation lists, more than ${VISIT_LIMITS.revocationLists}`);
      const revocations: VisitManifest['revocations'] = [];
      for (const [i, list] of lists.entries()) {
        const file = `revocations/${i}.json`;
        await write(file, JSON.stringify(list));
        revocations.push({ station: list.station, issuer: list.issuer, updatedAt: list.updatedAt, entries: list.entries.length, file });
      }
      progress(`revocation lists: ${lists.length} station(s), ${lists.reduce((n, l) => n + l.entries.length, 0)} certificate(s)`);

      return {
        preparedAt: now().toISOString(),
        registry: client.url,
        scope: 'site' in scope ? { kind: 'site', site: scope.site } : { kind: 'devices', requested: serials.length },
        ...(options.channel !== undefined ? { channel: options.channel } : {}),
        devices,
        missing,
        artifacts,
        revocations,
        warnings,
      };
    }),
  );
}
