/**
 * The station side of signed releases: `fieldline registry follow CHANNEL` (a station setting), `fieldline profile
 * list` (the station's profiles, released ones marked), and the pull `fieldline sync` makes of the followed channel.
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { resolveDataDir } from '../data-dir';
import { FieldlineError } from '../errors';
import { loadProfile } from '../profiles/load';
import { loadTrustedKeys } from '../profiles/signature';
import type { Store } from '../store/types';
import { loadRegistrySettings } from '../sync/registry-config';
import { ReleaseClient } from '../sync/release-client';
import { pullReleases, type PullResult } from '../sync/release-pull';
import { artifactPath, followChannel, followedChannel, loadReleaseIndex, storedArtifactRefusal } from '../sync/release-store';
import { beginAuthorized, operatorOption, type OperatorCliOptions } from './operator-sign-in';
import { print, type OutputOptions } from './output';

const DATA_DIR_HELP = 'data directory (default: $FIELDLINE_DATA_DIR, else the per-user folder the desktop app uses)';

/** `fieldline sync`'s pull of the followed channel; undefined when the station follows none. Refusals are audited. */
export async function pullFollowedChannel(dataDir: string, store: Pick<Store, 'appendAudit'>, actor: string): Promise<PullResult | undefined> {
  const channel = await followedChannel(dataDir);
  if (channel === undefined) return undefined;
  const settings = loadRegistrySettings(dataDir);
  return pullReleases({
    dataDir,
    channel,
    client: new ReleaseClient({ url: settings.url, token: settings.token }),
    trusted: await loadTrustedKeys(dataDir),
    onRefused: (r) => void store.appendAudit({ actor, action: 'release.refused', subject: `${r.kind} ${r.name} ${r.version}`, details: { channel, sha256: r.sha256, reason: r.reason } }),
  });
}

/** Lines for `sync`'s text output. */
export function pullText(pull: PullResult): string[] {
  return [
    `channel "${pull.channel}": pulled ${pull.pulled.length} release(s), ${pull.held} usable${pull.offline ? ` — registry not reached (${pull.offline}); working from what was pulled before` : ''}`,
    ...pull.pulled.map((r) => `  pulled ${r.kind} ${r.name} ${r.version} (${r.sha256.slice(0, 12)}…)`),
    ...pull.refused.map((r) => `  REFUSED ${r.kind} ${r.name} ${r.version}: ${r.reason}`),
  ];
}

interface ListedProfile {
  path: string;
  name: string;
  version: string;
  sha256: string;
  source: 'release' | 'data';
  released?: { channel: string; version: string; sha256: string };
  /** Why a pulled release is not offered any more. */
  refused?: string;
}

async function listProfiles(dataDir: string): Promise<{ channel: string | undefined; profiles: ListedProfile[] }> {
  const channel = await followedChannel(dataDir);
  const index = await loadReleaseIndex(dataDir);
  const profiles: ListedProfile[] = [];
  for (const entry of index.releases.filter((r) => r.manifest.kind === 'profile' && r.manifest.channel === channel)) {
    const { name, version, sha256 } = entry.manifest;
    const refused = entry.refused ?? (await storedArtifactRefusal(dataDir, entry));
    profiles.push({
      path: artifactPath(dataDir, entry.manifest),
      name,
      version,
      sha256,
      source: 'release',
      ...(refused === undefined ? { released: { channel: entry.manifest.channel, version, sha256 } } : { refused }),
    });
  }
  const folder = join(dataDir, 'profiles');
  const names = existsSync(folder) ? (await readdir(folder)).filter((n) => /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.ya?ml$/.test(n)).sort() : [];
  for (const file of names.slice(0, 1000)) {
    const path = join(folder, file);
    try {
      const { profile, sha256 } = await loadProfile(path);
      // A local copy of a release's exact bytes is that release (the signature covers its SHA-256).
      const same = profiles.find((p) => p.source === 'release' && p.released && p.sha256 === sha256);
      profiles.push({ path, name: profile.name, version: profile.version, sha256, source: 'data', ...(same?.released ? { released: same.released } : {}) });
    } catch (err) {
      if (!(err instanceof FieldlineError)) throw err;
      profiles.push({ path, name: basename(file), version: '', sha256: '', source: 'data', refused: err.message });
    }
  }
  return { channel, profiles };
}

export function registerFollowCommand(registry: Command): Command {
  operatorOption(registry.command('follow <channel>'))
    .description('follow a release channel (production, pilot, …): `fieldline sync` pulls its signed releases, and only those profiles are used')
    .option('-d, --data-dir <dir>', DATA_DIR_HELP)
    .option('--json', 'print JSON')
    .action(async (channel: string, opts: OutputOptions & OperatorCliOptions & { dataDir?: string }) => {
      const dataDir = resolveDataDir(opts.dataDir);
      const audit = await beginAuthorized(opts, 'registry.settings', 'registry follow');
      await followChannel(dataDir, channel);
      await audit({ action: 'registry.follow', subject: channel });
      print(opts, { channel }, () => `following channel "${channel}": \`fieldline sync --once\` pulls its releases`);
    });
  return registry;
}

export function registerProfileListCommand(profile: Command): Command {
  profile
    .command('list')
    .description("the station's profiles: releases pulled from the followed channel (marked released) and those in <data-dir>/profiles")
    .option('-d, --data-dir <dir>', DATA_DIR_HELP)
    .option('--json', 'print JSON')
    .action(async (opts: OutputOptions & { dataDir?: string }) => {
      const result = await listProfiles(resolveDataDir(opts.dataDir));
      print(opts, result, () =>
        [
          result.channel ? `following channel "${result.channel}"` : 'following no release channel',
          ...result.profiles.map(
            (p) => `${p.released ? 'released  ' : p.refused ? 'REFUSED   ' : 'unreleased'} ${p.name} ${p.version} ${p.path}${p.refused ? ` — ${p.refused}` : ''}`,
          ),
        ].join('\n'),
      );
    });
  return profile;
}

/**
 * Continuous `fieldline sync`: pulls the followed channel now and every `intervalMs`, one pull at a time, telling
 * `onResult` what each pull found. A failed pull is reported and the next one tried: the runs keep draining.
 */
export function keepPulling(
  pull: () => Promise<PullResult | undefined>,
  intervalMs: number,
  onResult: (result: PullResult) => void,
  onError: (message: string) => void,
): { stop(): Promise<void> } {
  let current: Promise<void> | undefined;
  const once = (): void => {
    if (current) return;
    current = pull()
      .then((result) => {
        if (result) onResult(result);
      })
      .catch((err: unknown) => onError(err instanceof Error ? err.message : String(err)))
      .finally(() => {
        current = undefined;
      });
  };
  once();
  const timer = setInterval(once, intervalMs);
  return {
    stop: async () => {
      clearInterval(timer);
      await current;
    },
  };
}
