/**
 * The station side of `fieldline registry`: `login` points this station at a registry (URL and token, checked
 * before anything is saved, and the station's bundle key registered so its offline bundles verify later), and
 * `upload-bundle` hands an offline bundle to the registry as it is. The token is never printed: it comes from
 * --token-stdin (or --token, which other users can see in the process list — hence the warning), goes to the
 * owner-only registry-token file and into the Authorization header, and nowhere else.
 */
import { Command } from 'commander';
import { resolve } from 'node:path';
import { resolveDataDir } from '../data-dir';
import { FieldlineError } from '../errors';
import { parseBundle } from '../shared/bundle-format';
import { readBundleFile } from '../sync/bundle-import';
import { RegistryClient } from '../sync/registry-client';
import { isLoopbackUrl, loadRegistrySettings, normalizeRegistryUrl, saveRegistrySettings } from '../sync/registry-config';
import { loadStationKey } from '../sync/station-key';
import { beginAuthorized, operatorOption, type OperatorCliOptions } from './operator-sign-in';
import { cliLogger, print, type OutputOptions } from './output';

interface StationCliOptions extends OutputOptions {
  dataDir?: string;
}

interface LoginOptions extends StationCliOptions, OperatorCliOptions {
  url: string;
  token?: string;
  tokenStdin?: boolean;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

async function tokenFrom(opts: LoginOptions): Promise<string> {
  if ((opts.token === undefined) === (opts.tokenStdin !== true)) throw new FieldlineError('INVALID_ARGUMENT', 'give the token with --token-stdin (or --token T), one of them');
  const token = (opts.token ?? (await readStdin())).trim();
  // Only the last line: `fieldline registry token create` prints the token on its last line, after a note.
  const value = token.split('\n').at(-1)?.trim() ?? '';
  if (!value || /\s/.test(value)) throw new FieldlineError('INVALID_ARGUMENT', 'the token is empty or contains whitespace');
  return value;
}

async function login(opts: LoginOptions): Promise<void> {
  const dataDir = resolveDataDir(opts.dataDir);
  const url = normalizeRegistryUrl(opts.url);
  const audit = await beginAuthorized(opts, 'registry.settings', 'registry login');
  if (opts.token !== undefined) process.stderr.write('fieldline: warning: --token is visible to other users in the process list; prefer --token-stdin\n');
  if (url.startsWith('http:') && !isLoopbackUrl(url)) {
    process.stderr.write(`fieldline: warning: ${url} is plain HTTP: the token travels unencrypted; use https beyond this machine\n`);
  }
  const token = await tokenFrom(opts);
  const client = new RegistryClient({ url, token, timeoutMs: 15_000, logger: cliLogger(opts, 'registry') });
  await client.health();
  // Authenticated: a wrong token fails here (REGISTRY_AUTH) before anything is saved.
  const key = loadStationKey(dataDir);
  const registered = await client.registerStationKey(key.publicKey);
  saveRegistrySettings(dataDir, { url, station: registered.station, keyId: registered.keyId, token });
  await audit({ action: 'registry.login', subject: url, details: { station: registered.station, keyId: registered.keyId } });
  print(opts, { url, station: registered.station, keyId: registered.keyId }, () =>
    `logged in to ${url} as station "${registered.station}"; bundle key ${registered.keyId} registered. \`fieldline sync\` sends the queued runs.`,
  );
}

async function uploadBundle(file: string, opts: StationCliOptions & OperatorCliOptions): Promise<void> {
  const dataDir = resolveDataDir(opts.dataDir);
  const audit = await beginAuthorized(opts, 'queue.retry', 'registry upload-bundle');
  const settings = loadRegistrySettings(dataDir);
  const bytes = readBundleFile(resolve(file));
  // Checked here too, so an altered file is refused with the reason before anything is sent.
  const bundle = parseBundle(bytes);
  const client = new RegistryClient({ url: settings.url, token: settings.token, timeoutMs: 120_000, logger: cliLogger(opts, 'registry') });
  const reply = await client.uploadBundle(bytes);
  const result = { station: bundle.manifest.station, keyId: bundle.manifest.keyId, records: bundle.records.length, accepted: reply.accepted.length, duplicate: reply.duplicate.length, rejected: reply.rejected };
  await audit({ action: 'registry.upload-bundle', subject: result.station, details: { keyId: result.keyId, records: result.records, accepted: result.accepted } });
  print(opts, result, () =>
    [
      `bundle of station "${result.station}": ${result.records} run(s) — accepted ${result.accepted}, already in the registry ${result.duplicate}, rejected ${result.rejected.length}`,
      ...result.rejected.map((r) => `  rejected ${r.id}: ${r.reason}`),
    ].join('\n'),
  );
  if (result.rejected.length > 0) process.exitCode = 1;
}

/** Adds `login` and `upload-bundle` to the `registry` command (registerRegistryCommands in registry.ts returns it). */
export function registerRegistryClientCommands(registry: Command): Command {
  operatorOption(registry.command('login'))
    .description('point this station at a registry: checks the URL and token, registers the station bundle key, stores both (the token owner-only, never shown)')
    .requiredOption('--url <url>', 'registry base URL, e.g. https://registry.example.com')
    .option('--token <token>', 'station token (visible in the process list: prefer --token-stdin)')
    .option('--token-stdin', 'read the station token from stdin (its last line)')
    .option('-d, --data-dir <dir>', 'data directory (default: $FIELDLINE_DATA_DIR, else the per-user folder the desktop app uses)')
    .option('--json', 'print JSON')
    .option('-v, --verbose', 'log requests to stderr')
    .action(login);

  operatorOption(registry.command('upload-bundle <file>'))
    .description('send an offline bundle (fieldline queue export) to the registry as it is; the registry checks its signature against the station key')
    .option('-d, --data-dir <dir>', 'data directory (default: $FIELDLINE_DATA_DIR, else the per-user folder the desktop app uses)')
    .option('--json', 'print JSON')
    .option('-v, --verbose', 'log requests to stderr')
    .action(uploadBundle);

  return registry;
}
