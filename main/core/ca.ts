/**
 * The station CA as the core holds it — the one place that opens the CA key: locked until unlocked with its
 * passphrase (settings:unlock-ca, or FIELDLINE_CA_PASSPHRASE, or a passphrase the desktop remembered in safeStorage,
 * or the CLI's prompt), then a Signer for every run (the run manager, replacement, settings, the line). The
 * passphrase is used once to open the key and is never kept in memory or logged. A CA whose key is in a PKCS#11
 * token is opened the same way with the token's user PIN (FIELDLINE_PKCS11_PIN or the prompt); a PIN is never
 * remembered, and close() ends the token session.
 */
import { FieldlineError, isFieldlineError } from '../errors';
import type { Logger } from '../log';
import { caInfo, openStationCa, type StationCa } from '../pki/station-ca';
import type { Signer } from '../pki/types';
import type { SecretStore } from './secrets';

export interface CaState {
  initialized: boolean;
  ready: boolean;
  subject?: string;
  notAfter?: string;
}

export interface CaHolder {
  state(): Promise<CaState>;
  /**
   * Opens the CA key with its passphrase, or the token's PIN for a PKCS#11 CA (CA_PASSPHRASE / PKCS11_PIN when wrong,
   * CA_NOT_INITIALIZED when there is no CA).
   */
  unlock(passphrase: string, remember?: boolean): Promise<void>;
  /** Where the key lives, so a front end asks for the right secret; undefined when there is no (readable) CA. */
  keyStore(): Promise<'file' | 'pkcs11' | undefined>;
  /** Closes the open CA (a token session); the CA is locked again. */
  close(): Promise<void>;
  /** The Signer for a run: CA_LOCKED (or CA_NOT_INITIALIZED) until unlocked. */
  signer(): Promise<Signer>;
  readonly ready: boolean;
}

export function createCaHolder(dataDir: string, secrets: SecretStore, logger: Logger): CaHolder {
  let ca: StationCa | undefined;

  const state = async (): Promise<CaState> => {
    try {
      const info = await caInfo(dataDir);
      return { initialized: true, ready: ca !== undefined, subject: info.intermediate.subject, notAfter: info.intermediate.notAfter };
    } catch (err) {
      if (isFieldlineError(err, 'CA_NOT_INITIALIZED')) return { initialized: false, ready: false };
      // Damaged CA files: say so through the state (not ready) and the log, rather than failing settings:get.
      logger.warn('the station CA cannot be read', { error: (err as Error).message });
      return { initialized: true, ready: false };
    }
  };

  return {
    state,
    get ready() {
      return ca !== undefined;
    },
    async unlock(passphrase, remember = false) {
      const opened = await openStationCa(dataDir, passphrase, { logger: logger.child('ca') });
      const previous = ca;
      ca = opened;
      await previous?.close();
      logger.info('station CA unlocked');
      // Only an encrypted store may keep it: in a plain file beside the sealed key it would undo the sealing. A token
      // PIN is not kept at all: the token, not a file, is what is meant to guard the key.
      if (remember && secrets.encrypted && (await caInfo(dataDir)).key.store === 'file') await secrets.set('ca-passphrase', passphrase);
    },
    async keyStore() {
      return caInfo(dataDir).then(
        (info) => info.key.store,
        () => undefined,
      );
    },
    async close() {
      const open = ca;
      ca = undefined;
      await open?.close();
    },
    async signer() {
      if (ca) return ca;
      const current = await state();
      if (!current.initialized) throw new FieldlineError('CA_NOT_INITIALIZED', 'this station has no CA yet');
      throw new FieldlineError('CA_LOCKED', 'unlock the station CA before provisioning');
    },
  };
}

/**
 * Unlocks at start when a passphrase is at hand: the environment's, else one the desktop remembered. A wrong one
 * is logged, not thrown: the station still starts, and the technician unlocks it in Settings.
 */
export async function unlockAtStart(holder: CaHolder, secrets: SecretStore, envPassphrase: string | undefined, logger: Logger, envPin?: string): Promise<void> {
  const inToken = (await holder.keyStore()) === 'pkcs11';
  const remembered = envPassphrase || inToken ? undefined : await secrets.get('ca-passphrase').catch(() => undefined);
  const passphrase = inToken ? envPin : envPassphrase || remembered;
  if (!passphrase) return;
  try {
    await holder.unlock(passphrase);
  } catch (err) {
    if (isFieldlineError(err, 'CA_NOT_INITIALIZED')) return;
    logger.warn('could not unlock the station CA at start', { error: isFieldlineError(err) ? err.code : (err as Error).message });
  }
}
