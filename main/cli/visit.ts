/**
 * `fieldline visit prepare|status`: the service kit a technician takes to a site without a connection (issue #16).
 * prepare pulls, from the registry this station is logged in to, the history of the devices of a site (or of the
 * serials given), the profiles they were provisioned with, the releases they should run and every station's
 * revocation list into `<data-dir>/visit/` (main/sync/visit-prepare.ts); status says what the kit holds and how old
 * it is. `fieldline service` and the app's device page read the kit through core.visitKit.
 *
 * Exit codes (main/cli/output.ts): 0 done; 1 the registry could not be reached or answered nonsense, or has none of
 * the devices; 2 usage (no scope, two scopes, an unreadable devices file) or no registry login.
 */
import { Command } from 'commander';
import { resolve } from 'node:path';
import type { VisitKitStatus } from '../core/visit-kit';
import { FieldlineError } from '../errors';
import { readRegularFile } from '../profiles/regular-file';
import { loadTrustedKeys } from '../profiles/signature';
import { RegistryClient } from '../sync/registry-client';
import { loadRegistrySettings } from '../sync/registry-config';
import { ReleaseClient } from '../sync/release-client';
import { followedChannel } from '../sync/release-store';
import { prepareVisit, type VisitScope } from '../sync/visit-prepare';
import { visitDir, VISIT_LIMITS } from '../sync/visit-store';
import { withCore, type CoreCliOptions } from './core';
import { cliLogger, print } from './output';

interface PrepareOptions extends CoreCliOptions {
  site?: string;
  devices?: string;
  devicesFile?: string;
  timeout?: number;
}

const DATA_DIR_HELP = 'data directory (default: $FIELDLINE_DATA_DIR, else the per-user folder the desktop app uses)';
/** 10,000 serials of up to 128 characters, one a line. */
const DEVICES_FILE_CAP = { maxBytes: 2 * 1024 * 1024, what: 'devices file' };

/** Serials from a list: separated by commas, blanks or new lines; `#` starts a comment. */
export function parseSerials(text: string): string[] {
  const serials = text
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*$/, ''))
    .flatMap((line) => line.split(/[,\s]+/))
    .filter((s) => s.length > 0);
  for (const s of serials) {
    if (s.length > 128 || /\p{Cc}/u.test(s)) throw new FieldlineError('INVALID_ARGUMENT', `"${s.slice(0, 40)}" is not a device serial`);
  }
  if (serials.length === 0) throw new FieldlineError('INVALID_ARGUMENT', 'no device serials given');
  if (serials.length > VISIT_LIMITS.devices) throw new FieldlineError('INVALID_ARGUMENT', `${serials.length} serials given; a kit holds at most ${VISIT_LIMITS.devices}`);
  return [...new Set(serials)];
}

async function scopeOf(opts: PrepareOptions): Promise<VisitScope> {
  const given = [opts.site, opts.devices, opts.devicesFile].filter((o) => o !== undefined).length;
  if (given !== 1) throw new FieldlineError('INVALID_ARGUMENT', 'give exactly one of --site NAME, --devices S1,S2,… or --devices-file FILE');
  if (opts.site !== undefined) {
    const site = opts.site.trim();
    if (site.length === 0 || site.length > 128 || /\p{Cc}/u.test(site)) throw new FieldlineError('INVALID_ARGUMENT', `"${opts.site.slice(0, 40)}" is not a site name`);
    return { site };
  }
  if (opts.devices !== undefined) return { devices: parseSerials(opts.devices) };
  const bytes = await readRegularFile(resolve(opts.devicesFile!), DEVICES_FILE_CAP);
  return { devices: parseSerials(new TextDecoder().decode(bytes)) };
}

/** "just now", "12 min ago", "3 h ago", "9 days ago". */
export function ageText(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} days ago`;
}

export function statusText(status: VisitKitStatus): string {
  const c = status.counts;
  const scope = status.scope.kind === 'site' ? `site ${status.scope.site}` : `${status.scope.requested} device(s) by serial`;
  return [
    `visit kit for ${scope}, prepared ${ageText(status.ageMs)} (${status.preparedAt}) from ${status.registry}`,
    `  devices ${c.devices}${c.missing > 0 ? ` (${c.missing} asked for are not in the registry)` : ''}, records ${c.records}, service records ${c.serviceRecords}`,
    `  profiles ${c.profiles}, firmware ${c.firmware}, revocation lists ${c.revocationLists}${status.channel ? `; releases of channel "${status.channel}"` : ''}`,
    ...(status.stale ? [`  WARNING: the kit is more than 7 days old; releases and revocations may have changed — prepare it again while online`] : []),
    ...status.warnings.map((w) => `  note: ${w}`),
    `  in ${status.dir}`,
  ].join('\n');
}

function positive(value: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new FieldlineError('INVALID_ARGUMENT', `--timeout must be a whole number of ms from 1 up, not "${value}"`);
  return n;
}

async function prepareCommand(opts: PrepareOptions): Promise<void> {
  const scope = await scopeOf(opts);
  await withCore(opts, async (core) => {
    const settings = loadRegistrySettings(core.dataDir);
    const timeoutMs = opts.timeout;
    const client = new RegistryClient({ url: settings.url, token: settings.token, logger: cliLogger(opts, 'visit'), ...(timeoutMs ? { timeoutMs } : {}) });
    const releases = new ReleaseClient({ url: settings.url, token: settings.token, ...(timeoutMs ? { timeoutMs } : {}) });
    const channel = await followedChannel(core.dataDir);
    const manifest = await prepareVisit({
      dataDir: core.dataDir,
      client,
      releases,
      scope,
      ...(channel !== undefined ? { channel } : {}),
      trusted: await loadTrustedKeys(core.dataDir),
      now: () => core.clock.now(),
      onProgress: (line) => process.stderr.write(`${line}\n`),
    });
    core.store().appendAudit({
      actor: `station:${core.station.name}`,
      action: 'visit.prepare',
      subject: manifest.scope.kind === 'site' ? `site ${manifest.scope.site}` : `${manifest.scope.requested} device(s)`,
      details: { registry: manifest.registry, devices: manifest.devices.length, missing: manifest.missing.length, artifacts: manifest.artifacts.length, revocationLists: manifest.revocations.length },
    });
    const status = core.visitKit.status();
    if (!status) throw new FieldlineError('STORE_CORRUPT', `the visit kit just written in ${visitDir(core.dataDir)} cannot be read back`);
    print(opts, { prepared: true, ...status, missing: manifest.missing }, () =>
      [statusText(status), ...(manifest.missing.length > 0 ? [`  not in the registry: ${manifest.missing.slice(0, 20).join(', ')}${manifest.missing.length > 20 ? ', …' : ''}`] : [])].join('\n'),
    );
  });
}

async function statusCommand(opts: CoreCliOptions): Promise<void> {
  await withCore(opts, (core) => {
    const status = core.visitKit.status();
    if (!status) {
      const dir = visitDir(core.dataDir);
      print(opts, { prepared: false, dir }, () => `no visit kit in ${dir}; while online, run \`fieldline visit prepare --site NAME\` (or --devices S1,S2)`);
      return;
    }
    print(opts, { prepared: true, ...status }, () => statusText(status));
  });
}

export function registerVisitCommands(program: Command): Command {
  const visit = program.command('visit').description('the service kit for a site visit without a connection: prepare it from the registry, see what it holds');
  visit
    .command('prepare')
    .description("pull the devices' history, their profiles and releases, and every station's revocation list from the registry into <data-dir>/visit/")
    .option('--site <name>', 'the devices provisioned with this site (the `site` variable)')
    .option('--devices <serials>', 'these devices, by serial, separated by commas')
    .option('--devices-file <file>', 'the devices whose serials this file lists (one a line, or separated by commas; # starts a comment)')
    .option('-d, --data-dir <dir>', DATA_DIR_HELP)
    .option('--station <name>', 'station name for the audit log (default: the host name)')
    .option('--timeout <ms>', 'per-request timeout in ms (default 30000)', positive)
    .option('--json', 'print the kit prepared as JSON (progress goes to stderr)')
    .option('-v, --verbose', 'log requests to stderr')
    .addHelpText('after', '\nA prepare replaces the previous kit whole; one that fails leaves the previous kit as it was.\nExit codes: 0 prepared, 1 registry unreachable or none of the devices in it, 2 usage or no registry login.')
    .action(async (opts: PrepareOptions) => prepareCommand(opts));
  visit
    .command('status')
    .description('what the visit kit holds (devices, records, profiles, firmware, revocation lists) and how old it is')
    .option('-d, --data-dir <dir>', DATA_DIR_HELP)
    .option('--json', 'print the status as JSON')
    .action(async (opts: CoreCliOptions) => statusCommand(opts));
  return program;
}
