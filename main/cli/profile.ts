/**
 * `fieldline profile …`: check, show, sign and verify golden-configuration profiles, and make publisher keys.
 * registerProfileCommands returns the `profile` command so other command families (profile test) can add to it.
 *
 * The profile named may be anything (a FIFO, /dev/zero, a billion laughs): it is loaded in a worker with a time and
 * memory limit (profiles/isolated-loader.ts). Exit codes: 0 fine, 1 the profile has problems (or a signature does
 * not verify), 2 the file could not be checked at all — not a readable regular file, too large, too complex.
 */
import type { Command } from 'commander';
import { access, readFile, rm, writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { stringify } from 'yaml';
import { resolveDataDir } from '../data-dir';
import { FieldlineError } from '../errors';
import { lintProfileIsolated, loadProfileIsolated, withProfileLoader } from '../profiles/isolated-loader';
import { formatProblem, isRefusal, type LoadedProfile } from '../profiles/load';
import { renderProfile, type RenderedProfile } from '../profiles/template';
import {
  generatePublisherKey,
  loadTrustedKeys,
  readPublicKeyFile,
  signProfile,
  TRUST_FOLDER,
  verifyProfile,
  type VerifyResult,
} from '../profiles/signature';
import { print, reportError, type OutputOptions } from './output';

/** `--var name=value`, repeatable; exported for the other commands that take batch variables. */
export function collectVar(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(value);
  if (!match) throw new FieldlineError('INVALID_ARGUMENT', `--var takes NAME=VALUE, not "${value}"`);
  return { ...previous, [match[1] as string]: match[2] as string };
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * Runs `work`; a profile that could not be checked at all (isRefusal) is reported and ends the command with exit
 * 2, every other failure goes on to the CLI's usual report.
 */
async function unlessRefused<T>(opts: OutputOptions, work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (err) {
    if (!isRefusal(err)) throw err;
    reportError(err, opts.json ?? false);
    process.exitCode = 2;
    return undefined;
  }
}

const loadChecked = (file: string): Promise<LoadedProfile> => withProfileLoader((loader) => loadProfileIsolated(loader, file));

/** What a profile renders to when the device is not known: device and station facts as visible placeholders. */
const PLACEHOLDER_FACTS = {
  device: { serial: '<device.serial>', firmwareVersion: '<device.firmwareVersion>' },
  station: { name: '<station.name>' },
};

export function registerProfileCommands(program: Command): Command {
  const profile = program.command('profile').description('golden-configuration profiles: lint, show, sign, verify, keygen');

  profile
    .command('lint <file>')
    .description('check a profile and list every problem as file:line:col path: message (exit 1 if any, 2 if it cannot be checked)')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: OutputOptions) => {
      const problems = await unlessRefused(opts, () => withProfileLoader((loader) => lintProfileIsolated(loader, file)));
      if (problems === undefined) return;
      print(opts, { file, ok: problems.length === 0, problems }, () =>
        problems.length === 0 ? `${file}: ok` : problems.map((p) => formatProblem(file, p)).join('\n'),
      );
      if (problems.length > 0) process.exitCode = 1;
    });

  profile
    .command('show <file>')
    .description('print the profile with defaults filled in; with --var (or --render) also what it renders to')
    .option('--var <name=value>', 'batch variable (repeatable)', collectVar, {})
    .option('--render', 'render with the variables given and their defaults, even without --var')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: OutputOptions & { var: Record<string, string>; render?: boolean }) => {
      const loaded = await unlessRefused(opts, () => loadChecked(file));
      if (!loaded) return;
      const render = opts.render === true || Object.keys(opts.var).length > 0;
      const rendered = render ? renderProfile(loaded.profile, { ...PLACEHOLDER_FACTS, vars: opts.var }) : undefined;
      const shown = { file, sha256: loaded.sha256, profile: loaded.profile, ...(rendered ? { rendered: renderedView(rendered) } : {}) };
      print(opts, shown, () => {
        const head = `# ${file}  sha256 ${loaded.sha256}\n${stringify(loaded.profile)}`;
        return rendered ? `${head}---\n# rendered (device facts are placeholders)\n${stringify(renderedView(rendered))}` : head.trimEnd();
      });
    });

  profile
    .command('sign <file>')
    .description('sign a valid profile with an Ed25519 publisher key; writes <file>.sig beside it')
    .requiredOption('--key <private.pem>', 'the publisher private key (from `fieldline profile keygen`)')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: OutputOptions & { key: string }) => {
      // Signing vouches for the content: a profile that does not pass lint is refused, not signed.
      if (!(await unlessRefused(opts, () => loadChecked(file)))) return;
      const result = await signProfile(file, await readFile(opts.key, 'utf8'));
      print(opts, { file, ...result }, () => `signed ${file} with key ${result.keyId}: ${result.signaturePath}`);
    });

  profile
    .command('verify <file>')
    .description("check <file>.sig against trusted publisher keys (--trust, or the data directory's trust/ folder)")
    .option('--trust <public.pem>', 'a trusted publisher public key (repeatable)', collect, [])
    .option('--data-dir <dir>', "data directory whose trust/*.pub.pem keys are trusted (default: FIELDLINE_DATA_DIR or the user's)")
    .option('--json', 'print JSON')
    .action(async (file: string, opts: OutputOptions & { trust: string[]; dataDir?: string }) => {
      const keys = await Promise.all(opts.trust.map(async (f) => readPublicKeyFile(f, await readFile(f, 'utf8'))));
      // Explicit --trust keys alone, unless a data directory is named too; with neither, the station's own.
      if (opts.trust.length === 0 || opts.dataDir !== undefined) keys.push(...(await loadTrustedKeys(resolveDataDir(opts.dataDir))));
      const result = await unlessRefused(opts, () => verifyProfile(file, keys));
      if (!result) return;
      print(opts, { file, ...result }, () => verifyText(file, result));
      if (!result.trusted) process.exitCode = 1;
    });

  profile
    .command('keygen')
    .description('make an Ed25519 publisher key pair: <prefix>.pem (private, mode 0600) and <prefix>.pub.pem')
    .requiredOption('--out <prefix>', 'path prefix of the two files')
    .option('--force', 'overwrite existing files')
    .option('--json', 'print JSON')
    .action(async (opts: OutputOptions & { out: string; force?: boolean }) => {
      const pair = generatePublisherKey();
      const privatePath = `${opts.out}.pem`;
      const publicPath = `${opts.out}.pub.pem`;
      for (const path of [privatePath, publicPath]) {
        // --force removes the old files first: a new file gets its mode at creation, so the key is never readable.
        // Without it both are checked before either is written, so a refusal never leaves half a pair behind.
        if (opts.force) await rm(path, { force: true });
        else await refuseExisting(path);
      }
      await writeKeyFile(privatePath, pair.privateKeyPem, 0o600);
      await writeKeyFile(publicPath, pair.publicKeyPem, 0o644);
      print(opts, { privateKey: privatePath, publicKey: publicPath, keyId: pair.keyId }, () =>
        [
          `key ${pair.keyId}`,
          `  private: ${privatePath} (keep it secret; sign with: fieldline profile sign <file> --key ${privatePath})`,
          `  public:  ${publicPath} (copy it into each station's data directory, ${TRUST_FOLDER}/)`,
        ].join('\n'),
      );
    });

  return profile;
}

async function refuseExisting(path: string): Promise<void> {
  const exists = await access(path).then(
    () => true,
    () => false,
  );
  if (exists) throw alreadyExists(path);
}

function alreadyExists(path: string): FieldlineError {
  return new FieldlineError('INVALID_ARGUMENT', `${relative(process.cwd(), path) || path} already exists (use --force to overwrite it)`);
}

async function writeKeyFile(path: string, pem: string, mode: number): Promise<void> {
  try {
    await writeFile(path, pem, { mode, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw alreadyExists(path);
    throw err;
  }
}

/** The rendered profile for people: setting values as read, file contents as text. */
function renderedView(r: RenderedProfile): Record<string, unknown> {
  return {
    // Placeholders contain "<" and ">", which the subject escapes (RFC 4514); shown unescaped they read better.
    subject: r.subject.replace(/\\<([A-Za-z.]+)\\>/g, '<$1>'),
    sans: r.sans,
    variables: r.variables,
    settings: r.settings.map((s) => ({ name: s.name, encoding: s.encoding, value: s.display, hex: Buffer.from(s.bytes).toString('hex') })),
    files: r.files.map((f) => ({ path: f.path, content: new TextDecoder().decode(f.content) })),
  };
}

function verifyText(file: string, r: VerifyResult): string {
  switch (r.status) {
    case 'trusted':
      return `${file}: signed by trusted key ${r.keyId}; signature valid`;
    case 'unsigned':
      return `${file}: not signed (no ${file}.sig)`;
    case 'malformed':
      return `${file}: ${file}.sig is not a Fieldline signature file`;
    case 'unknown-signer':
      return `${file}: signed by key ${r.keyId}, which is not trusted here`;
    case 'bad-signature':
      return `${file}: signature by key ${r.keyId} does NOT match the file (changed after signing)`;
  }
}
