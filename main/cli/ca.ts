/**
 * `fieldline ca …`: the station certificate authority — make a development one, import the organisation's
 * intermediate, show where its files are, list what it issued and revoked. The passphrase comes from FIELDLINE_CA_PASSPHRASE or
 * a prompt without echo (see main/pki/passphrase.ts) and is never printed or logged.
 */
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { resolveDataDir } from '../data-dir';
import { FieldlineError } from '../errors';
import { isEncryptedKeyPem } from '../pki/ca-import';
import { readHidden, type PassphraseInput } from '../pki/passphrase';
import { caInfo, importCa, initCa, listRevoked, type CaCertificateInfo, type CaInfo, type InstalledCa } from '../pki/station-ca';
import { caKeyStorage, keyJson, keyText, pkcs11Options, type Pkcs11CliOptions } from './ca-pkcs11';
import { withCore } from './core';
import { beginAuthorized, operatorOption, type OperatorCliOptions } from './operator-sign-in';
import { cliLogger, print, type OutputOptions } from './output';

/** For an organisation's key file that is itself encrypted; asked on the terminal when unset. */
export const IMPORT_KEY_PASSPHRASE_ENV = 'FIELDLINE_IMPORT_KEY_PASSPHRASE';

interface CaCliOptions extends OutputOptions, OperatorCliOptions {
  dataDir?: string;
}

/** The audit entry of a CA made or imported by a signed-in operator. */
const caAudit = (action: string, info: InstalledCa) => ({ action, subject: info.intermediate.subject, details: { fingerprint: info.intermediate.fingerprint } });

/** What `ca show --json` (and init, import) print: every file by path, and what is in it. */
export function caJson(info: CaInfo & { replaced?: string }): Record<string, unknown> {
  return {
    dir: info.dir,
    root: info.root,
    intermediate: info.intermediate,
    key: keyJson(info.key),
    crl: info.crl ?? { path: info.crlPath },
    ...(info.replaced ? { replaced: info.replaced } : {}),
  };
}

function certificateLine(label: string, c: CaCertificateInfo): string {
  return `  ${label.padEnd(13)}${c.subject}\n  ${''.padEnd(13)}valid until ${c.notAfter}, SHA-256 ${c.fingerprint}\n  ${''.padEnd(13)}${c.path}`;
}

function caText(info: InstalledCa, heading: string): string {
  const crl = info.crl
    ? `${info.crl.path} (${info.crl.revoked} revoked${info.crl.nextUpdate ? `, next update ${info.crl.nextUpdate}` : ''})`
    : `${info.crlPath} (not written yet)`;
  return [
    `${heading} ${info.dir}`,
    certificateLine('root', info.root),
    certificateLine('intermediate', info.intermediate),
    `  ${'key'.padEnd(13)}${keyText(info.key)}`,
    `  ${'crl'.padEnd(13)}${crl}`,
    ...(info.replaced ? [`  the previous CA was moved to ${info.replaced}`] : []),
  ].join('\n');
}

async function readInputFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new FieldlineError('FILE_NOT_FOUND', `${what} ${path}`, { path }, { cause: err });
    throw err;
  }
}

/** The passphrase of an encrypted organisation key file, or undefined when the file is not encrypted. */
async function importKeyPassphrase(keyPem: string, path: string): Promise<string | undefined> {
  if (!isEncryptedKeyPem(keyPem)) return undefined;
  const fromEnv = process.env[IMPORT_KEY_PASSPHRASE_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const input: PassphraseInput = process.stdin;
  if (!input.isTTY) {
    throw new FieldlineError('CA_IMPORT_INVALID', `${path} is encrypted: set ${IMPORT_KEY_PASSPHRASE_ENV} to its passphrase`);
  }
  return readHidden(`Passphrase of ${path}: `, input, process.stderr);
}

export function registerCaCommands(program: Command): Command {
  const ca = program
    .command('ca')
    .description('the station certificate authority that signs device certificates (files in <data-dir>/ca/)');

  const common = (cmd: Command): Command =>
    cmd
      .option('--data-dir <dir>', "data directory (default: FIELDLINE_DATA_DIR or the user's)")
      .option('--json', 'print JSON')
      .option('-v, --verbose', 'log to stderr');

  common(
    pkcs11Options(operatorOption(ca.command('init')), 'init')
      .description(
        'make a development root and station intermediate (P-256); the intermediate key is stored encrypted with a ' +
          'passphrase from FIELDLINE_CA_PASSPHRASE or a prompt (at least 8 characters), or generated inside a PKCS#11 ' +
          'token with --pkcs11 (never exported); the root key is not kept',
      )
      .option('--organization <name>', 'organisation name (O=) in both certificates', 'Fieldline Development')
      .option('--force', 'replace an existing CA (it is moved to a ca-replaced-… folder, not deleted)')
      .addHelpText('after', '\nExample: FIELDLINE_PKCS11_PIN=… fieldline ca init --pkcs11 /usr/lib/softhsm/libsofthsm2.so --token-label station'),
  ).action(async (opts: CaCliOptions & Pkcs11CliOptions & { organization: string; force?: boolean }) => {
    const dataDir = resolveDataDir(opts.dataDir);
    const audit = await beginAuthorized(opts, 'ca.manage', 'ca init');
    const storage = await caKeyStorage(opts, 'init');
    const info = await initCa(dataDir, { ...storage, organization: opts.organization, force: opts.force ?? false, logger: cliLogger(opts, 'ca') });
    await audit(caAudit('ca.init', info));
    print(opts, caJson(info), () => caText(info, 'station CA created in'));
  });

  common(
    pkcs11Options(operatorOption(ca.command('import')), 'import')
      .description(
        "adopt an intermediate CA issued by your organisation: its certificate, its private key and the chain up to the root " +
          `(PEM files). The key is re-encrypted with the station passphrase; an encrypted key file is opened with ${IMPORT_KEY_PASSPHRASE_ENV} or a prompt. ` +
          'With --pkcs11 the key is one already in a PKCS#11 token (--key-label/--key-id) and no --key file is given',
      )
      .requiredOption('--cert <file>', 'intermediate certificate (PEM)')
      .option('--key <file>', 'its private key (PEM: PKCS#8, SEC1 or PKCS#1, optionally encrypted); required without --pkcs11')
      .requiredOption('--chain <file>', 'the root and any issuers between it and the intermediate (PEM, any order)')
      .option('--force', 'replace an existing CA (it is moved to a ca-replaced-… folder, not deleted)'),
  ).action(async (opts: CaCliOptions & Pkcs11CliOptions & { cert: string; key?: string; chain: string; force?: boolean }) => {
    const dataDir = resolveDataDir(opts.dataDir);
    const audit = await beginAuthorized(opts, 'ca.manage', 'ca import');
    const certPem = await readInputFile(opts.cert, 'certificate');
    if ((opts.key === undefined) === (opts.pkcs11 === undefined)) throw new FieldlineError('USAGE', 'give the key as --key FILE, or as a key in a PKCS#11 token (--pkcs11 …), not both');
    const keyPem = opts.key === undefined ? undefined : await readInputFile(opts.key, 'key');
    const chainPem = await readInputFile(opts.chain, 'chain');
    const keyPassphrase = keyPem === undefined || opts.key === undefined ? undefined : await importKeyPassphrase(keyPem, opts.key);
    const storage = await caKeyStorage(opts, 'import');
    const info = await importCa(dataDir, {
      certPem,
      ...(keyPem === undefined ? {} : { keyPem }),
      chainPem,
      ...storage,
      force: opts.force ?? false,
      logger: cliLogger(opts, 'ca'),
      ...(keyPassphrase === undefined ? {} : { keyPassphrase }),
    });
    await audit(caAudit('ca.import', info));
    print(opts, caJson(info), () => caText(info, 'station CA imported into'));
  });

  common(ca.command('show').description('show the CA certificates and the paths of its files (no passphrase needed)')).action(
    async (opts: CaCliOptions) => {
      const info = await caInfo(resolveDataDir(opts.dataDir));
      print(opts, caJson(info), () => caText(info, 'station CA in'));
    },
  );

  common(ca.command('revoked').description('list the certificates the station revoked (rolled-back runs), oldest first')).action(
    async (opts: CaCliOptions) => {
      const revoked = listRevoked(resolveDataDir(opts.dataDir));
      print(opts, revoked, () =>
        revoked.length === 0 ? 'no revoked certificates' : revoked.map((r) => `${r.time}  ${r.serial}  ${r.reason}`).join('\n'),
      );
    },
  );

  common(
    ca
      .command('issued')
      .description("list every certificate the station issued, from the store's register: issued (its run not passed), in-service or revoked")
      .option('--state <state>', 'only issued, in-service or revoked'),
  ).action(async (opts: CaCliOptions & { state?: string }) => {
    const states = ['issued', 'in-service', 'revoked'] as const;
    const state = states.find((s) => s === opts.state);
    if (opts.state !== undefined && !state) throw new FieldlineError('INVALID_ARGUMENT', `--state takes ${states.join(', ')}, not "${opts.state}"`);
    await withCore(opts, (core) => {
      const issued = core.store().listCertificates(state ? { state } : {});
      print(opts, issued, () =>
        issued.length === 0
          ? 'no certificates issued'
          : issued.map((c) => `${c.issuedAt}  ${c.serial}  ${c.state.padEnd(10)}  ${c.deviceSerial}  run ${c.runId}`).join('\n'),
      );
    });
  });

  return ca;
}
