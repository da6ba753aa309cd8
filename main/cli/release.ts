/**
 * `fieldline release publish profile FILE --channel C` and `release publish firmware FILE --version V --channel C`:
 * uploads the file to the registry this station logged in to (content-addressed by SHA-256), then publishes it
 * into the channel with the publisher's Ed25519 signature over the release manifest — the key that signs profiles
 * (`fieldline profile keygen`). Stations that follow the channel pull it with `fieldline sync` and check that
 * signature against their trust/ folder before they store it.
 */
import { Command } from 'commander';
import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { basename, join, resolve } from 'node:path';
import { canonicalReleaseManifest, channelSchema, RELEASE_LIMITS, releaseManifestSchema, type ReleaseKind, type ReleaseManifest } from '../contract/registry/releases';
import { resolveDataDir } from '../data-dir';
import { FieldlineError } from '../errors';
import { loadProfile } from '../profiles/load';
import { LOAD_LIMITS } from '../profiles/limits';
import { readRegularFile } from '../profiles/regular-file';
import { keyIdOf } from '../profiles/signature';
import { loadRegistrySettings } from '../sync/registry-config';
import { ReleaseClient } from '../sync/release-client';
import { sha256Of } from '../sync/release-store';
import { beginAuthorized, operatorOption, type OperatorCliOptions } from './operator-sign-in';
import { print, type OutputOptions } from './output';

export const PUBLISHER_KEY_ENV = 'FIELDLINE_PUBLISHER_KEY';
/** Where `release publish` looks for the key when neither --key nor FIELDLINE_PUBLISHER_KEY names one. */
export const PUBLISHER_KEY_FILE = 'publisher.pem';

interface PublishOptions extends OutputOptions, OperatorCliOptions {
  channel: string;
  version?: string;
  name?: string;
  key?: string;
  dataDir?: string;
}

async function publisherKey(opts: PublishOptions, dataDir: string): Promise<{ privateKey: KeyObject; file: string }> {
  const file = resolve(opts.key ?? process.env[PUBLISHER_KEY_ENV] ?? join(dataDir, PUBLISHER_KEY_FILE));
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(new TextDecoder().decode(await readRegularFile(file, { maxBytes: 64 * 1024, what: 'publisher key' })));
  } catch (err) {
    if (err instanceof FieldlineError) throw err;
    throw new FieldlineError('INVALID_ARGUMENT', `${file} is not a private key in PEM`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new FieldlineError('INVALID_ARGUMENT', `${file} is not an Ed25519 key (make one with \`fieldline profile keygen\`)`);
  return { privateKey, file };
}

async function publish(kind: ReleaseKind, file: string, opts: PublishOptions): Promise<void> {
  const dataDir = resolveDataDir(opts.dataDir);
  const channel = channelSchema.safeParse(opts.channel);
  if (!channel.success) throw new FieldlineError('INVALID_ARGUMENT', `--channel "${opts.channel}": ${channel.error.issues[0]?.message ?? 'not a channel name'}`);
  const audit = await beginAuthorized(opts, 'profile.import', `release publish ${kind}`);
  const path = resolve(file);
  let bytes: Uint8Array;
  let name: string;
  let version: string;
  if (kind === 'profile') {
    // Only a profile that loads is published: a release vouches for it, as signing does.
    const loaded = await loadProfile(path);
    ({ bytes } = loaded);
    name = opts.name ?? loaded.profile.name;
    version = opts.version ?? loaded.profile.version;
  } else {
    if (opts.version === undefined) throw new FieldlineError('INVALID_ARGUMENT', 'a firmware release needs --version V');
    bytes = await readRegularFile(path, { maxBytes: Math.min(LOAD_LIMITS.imageBytes, RELEASE_LIMITS.artifactBytes), what: 'firmware image' });
    name = opts.name ?? basename(path).replace(/\.[^.]*$/, '');
    version = opts.version;
  }
  const manifestInput: ReleaseManifest = { kind, name, version, sha256: sha256Of(bytes), size: bytes.length, channel: channel.data };
  const parsed = releaseManifestSchema.safeParse(manifestInput);
  if (!parsed.success) throw new FieldlineError('INVALID_ARGUMENT', `cannot release ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const manifest = parsed.data;
  const { privateKey } = await publisherKey(opts, dataDir);
  const publicKey = createPublicKey(privateKey);
  const signature = { algorithm: 'ed25519' as const, keyId: keyIdOf(publicKey), signature: sign(null, Buffer.from(canonicalReleaseManifest(manifest)), privateKey).toString('base64') };

  const settings = loadRegistrySettings(dataDir);
  const client = new ReleaseClient({ url: settings.url, token: settings.token, timeoutMs: 120_000 });
  const uploaded = await client.putArtifact(manifest.sha256, bytes);
  const reply = await client.publish({ manifest, signature, publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64') });
  await audit({ action: 'release.publish', subject: `${kind} ${name} ${version}`, details: { channel: manifest.channel, sha256: manifest.sha256, keyId: signature.keyId, result: reply.result } });
  const result = { ...manifest, keyId: signature.keyId, artifact: uploaded.result, result: reply.result, publishedBy: reply.release.publishedBy };
  print(opts, result, () =>
    `${reply.result === 'accepted' ? 'published' : 'already published'}: ${kind} ${name} ${version} in channel "${manifest.channel}" (SHA-256 ${manifest.sha256}, signed by key ${signature.keyId})`,
  );
}

const KEY_HELP = `the publisher's Ed25519 private key, as \`fieldline profile keygen\` makes it (default: $${PUBLISHER_KEY_ENV}, else <data-dir>/${PUBLISHER_KEY_FILE})`;
const DATA_DIR_HELP = "data directory whose registry login is used (default: $FIELDLINE_DATA_DIR, else the per-user folder the desktop app uses)";

export function registerReleaseCommands(program: Command): Command {
  const release = program.command('release').description('signed releases of profiles and firmware: publish into a registry channel that stations follow');
  const publishCmd = release.command('publish').description('upload a file to the registry and publish it into a channel, signed with the publisher key');

  operatorOption(publishCmd.command('profile <file>'))
    .description('publish a profile (name and version from the file) into a channel')
    .requiredOption('--channel <channel>', 'the channel, e.g. production or pilot')
    .option('--key <private.pem>', KEY_HELP)
    .option('-d, --data-dir <dir>', DATA_DIR_HELP)
    .option('--json', 'print JSON')
    .action((file: string, opts: PublishOptions) => publish('profile', file, opts));

  operatorOption(publishCmd.command('firmware <file>'))
    .description('publish a firmware image into a channel')
    .requiredOption('--version <version>', 'the firmware version, e.g. 1.4.2')
    .requiredOption('--channel <channel>', 'the channel, e.g. production or pilot')
    .option('--name <name>', 'the release name (default: the file name without its extension)')
    .option('--key <private.pem>', KEY_HELP)
    .option('-d, --data-dir <dir>', DATA_DIR_HELP)
    .option('--json', 'print JSON')
    .action((file: string, opts: PublishOptions) => publish('firmware', file, opts));
  return release;
}
