/**
 * `fieldline ca init|import --pkcs11 MODULE.so --token-label L …`: the options that put the station intermediate's
 * key in a PKCS#11 token, and what `ca show` says about where the key lives. The token's user PIN comes from
 * FIELDLINE_PKCS11_PIN or a prompt without echo, and replaces the CA passphrase (nothing is sealed on disk).
 */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { FieldlineError } from '../errors';
import type { CaKeyStore } from '../pki/ca-store';
import { PKCS11_PIN_ENV, readCaPassphrase, readPkcs11Pin } from '../pki/passphrase';
import { DEFAULT_KEY_LABEL, type Pkcs11CaOptions } from '../pki/station-ca';

export interface Pkcs11CliOptions {
  pkcs11?: string;
  tokenLabel?: string;
  keyLabel?: string;
  keyId?: string;
}

/** PKCS#11 token labels are 32 bytes, blank-padded (PKCS#11 v2.40 §3.2, CK_TOKEN_INFO.label). */
const MAX_TOKEN_LABEL = 32;
const MAX_KEY_LABEL = 128;

export function pkcs11Options(cmd: Command, mode: 'init' | 'import'): Command {
  cmd
    .option('--pkcs11 <module.so>', `keep the intermediate's key in a PKCS#11 token, through this module (e.g. /usr/lib/softhsm/libsofthsm2.so); the token's user PIN comes from ${PKCS11_PIN_ENV} or a prompt, and no key file is written`)
    .option('--token-label <label>', 'with --pkcs11: the label of the token')
    .option('--key-label <label>', mode === 'init' ? `with --pkcs11: the label of the key to generate (default ${DEFAULT_KEY_LABEL})` : 'with --pkcs11: the label of the key already on the token');
  if (mode === 'import') cmd.option('--key-id <hex>', 'with --pkcs11: the CKA_ID of the key already on the token (instead of, or beside, --key-label)');
  return cmd;
}

/** The key's storage for initCa/importCa: the token (its PIN read now), or the passphrase that seals a key file. */
export async function caKeyStorage(opts: Pkcs11CliOptions, mode: 'init' | 'import'): Promise<{ passphrase: string } | { pkcs11: Pkcs11CaOptions }> {
  if (opts.pkcs11 === undefined) {
    if (opts.tokenLabel !== undefined || opts.keyLabel !== undefined || opts.keyId !== undefined) {
      throw new FieldlineError('USAGE', '--token-label, --key-label and --key-id go with --pkcs11 MODULE.so');
    }
    return { passphrase: await readCaPassphrase({ confirm: true }) };
  }
  if (opts.pkcs11.trim() === '') throw new FieldlineError('USAGE', '--pkcs11 takes the path of a PKCS#11 module (.so)');
  const tokenLabel = opts.tokenLabel;
  if (tokenLabel === undefined || tokenLabel === '' || Buffer.byteLength(tokenLabel) > MAX_TOKEN_LABEL) {
    throw new FieldlineError('USAGE', `--pkcs11 needs --token-label (1 to ${MAX_TOKEN_LABEL} bytes)`);
  }
  if (opts.keyLabel !== undefined && (opts.keyLabel === '' || opts.keyLabel.length > MAX_KEY_LABEL)) {
    throw new FieldlineError('USAGE', `--key-label takes 1 to ${MAX_KEY_LABEL} characters`);
  }
  if (opts.keyId !== undefined && !/^([0-9a-fA-F]{2}){1,64}$/.test(opts.keyId)) throw new FieldlineError('USAGE', '--key-id takes the key\'s CKA_ID in hex');
  if (mode === 'import' && opts.keyLabel === undefined && opts.keyId === undefined) {
    throw new FieldlineError('USAGE', 'ca import --pkcs11 needs --key-label or --key-id: the key already on the token');
  }
  return {
    pkcs11: {
      // A path is kept absolute, so the CA opens from any working directory; a bare name is left to dlopen's search.
      module: opts.pkcs11.includes('/') ? resolve(opts.pkcs11) : opts.pkcs11,
      tokenLabel,
      pin: await readPkcs11Pin(),
      ...(opts.keyLabel === undefined ? {} : { keyLabel: opts.keyLabel }),
      ...(opts.keyId === undefined ? {} : { keyId: opts.keyId }),
    },
  };
}

/** `key` in `ca show --json`: the store first, then what finds the key again. */
export function keyJson(key: CaKeyStore): Record<string, unknown> {
  if (key.store === 'file') return { store: 'file', path: key.path, encrypted: true, encryption: 'scrypt + AES-256-GCM' };
  return { store: 'pkcs11', module: key.module, token: key.token, tokenSerial: key.tokenSerial, label: key.label, id: key.id, path: key.path };
}

/** The key line of `ca show`. */
export function keyText(key: CaKeyStore): string {
  if (key.store === 'file') return `${key.path} (encrypted)`;
  return `in PKCS#11 token "${key.token}" (serial ${key.tokenSerial}), key "${key.label}" id ${key.id}, module ${key.module}`;
}
