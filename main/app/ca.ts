/**
 * The station CA as the app's parts see it (run manager, replacement, settings, the line): locked until unlocked,
 * then a Signer for every run. The holder itself — the one place that opens the CA key — is the core's
 * (main/core/ca.ts).
 */
import type { Signer } from '../pki/types';

export interface CaState {
  initialized: boolean;
  ready: boolean;
  subject?: string;
  notAfter?: string;
}

export interface CaHolder {
  state(): Promise<CaState>;
  /** Opens the CA key (CA_PASSPHRASE when wrong, CA_NOT_INITIALIZED when there is no CA). */
  unlock(passphrase: string, remember?: boolean): Promise<void>;
  /** The Signer for a run: CA_LOCKED (or CA_NOT_INITIALIZED) until unlocked. */
  signer(): Promise<Signer>;
  readonly ready: boolean;
}
