/**
 * How a `fieldline` command gets its parts: the core (main/core/core.ts) opened from the command's --data-dir and
 * --station, with the CA passphrase asked (FIELDLINE_CA_PASSPHRASE or a prompt) only if the command needs a signer,
 * and closed when the command ends — so a command holds the store no longer than it runs.
 */
import { createCore, type Core } from '../core/core';
import { resolveDataDir } from '../data-dir';
import { FieldlineError } from '../errors';
import { readCaPassphrase, readPkcs11Pin } from '../pki/passphrase';
import type { BleRadios } from '../transport/ble/noble';
import { cliLogger, type OutputOptions } from './output';

export interface CoreCliOptions extends OutputOptions {
  dataDir?: string;
  station?: string;
}

/** The data directory, with a mistyped --data-dir (a file, or an unwritable place) in the technician's words. */
export function cliDataDir(flag: string | undefined): string {
  try {
    return resolveDataDir(flag);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') throw new FieldlineError('INVALID_ARGUMENT', `--data-dir ${flag ?? ''} is not a directory`);
    throw new FieldlineError('STORE_UNAVAILABLE', `data directory: ${(err as Error).message}`, {}, { cause: err });
  }
}

/**
 * `radios`: the command's own noble instances (runOnTarget's), when it loaded noble before opening the core — the
 * core's runs then reach the gateway through the adapter already checked, and the command releases them.
 */
export function openCliCore(opts: CoreCliOptions, scope = 'fieldline', radios?: BleRadios): Core {
  return createCore({
    dataDir: cliDataDir(opts.dataDir),
    logger: cliLogger(opts, scope),
    askPassphrase: () => readCaPassphrase({ confirm: false }),
    askPin: () => readPkcs11Pin(),
    station: opts.station === undefined ? undefined : { name: opts.station },
    ...(radios ? { radios } : {}),
  });
}

/** Runs `work` on a core opened for this command, and closes it after, whatever happened. */
export async function withCore<T>(opts: CoreCliOptions, work: (core: Core) => Promise<T> | T, scope?: string, radios?: BleRadios): Promise<T> {
  const core = openCliCore(opts, scope, radios);
  try {
    return await work(core);
  } finally {
    await core.close();
  }
}
