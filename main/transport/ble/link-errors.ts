/**
 * What a failed BLE operation means to a technician. The ATT errors "insufficient authentication" (0x05),
 * "insufficient authorization" (0x08), "insufficient encryption" (0x0F) and "insufficient encryption key size" (0x0C)
 * are what a Zephyr gateway built with MCUMGR_TRANSPORT_BT_PERM_RW_AUTHEN (the default) answers until it is paired
 * (SMP.md §5 "Security"); bindings report them as text, so they are recognised by their words or their codes.
 */
import { FieldlineError } from '../../errors';

const PAIRING_WORDS = /insufficient (authentication|authori[sz]ation|encryption)|encryption key size|pairing|not paired|bond(ing)? (required|failed)|authentication (failed|required)/i;
const PAIRING_ATT_CODES = /\b(att|ecode|error)[^0-9a-z]{0,12}0x0?(5|8|c|f)\b/i;

export function isPairingError(err: unknown): boolean {
  if (err instanceof FieldlineError) return err.code === 'BLE_PAIRING_REQUIRED';
  const text = err instanceof Error ? err.message : String(err ?? '');
  return PAIRING_WORDS.test(text) || PAIRING_ATT_CODES.test(text);
}

/** The error for `err` while doing `what` with the gateway at `address`. */
export function bleLinkError(address: string, what: string, err: unknown): FieldlineError {
  if (err instanceof FieldlineError) return err;
  const text = err instanceof Error ? err.message : String(err ?? 'unknown error');
  if (isPairingError(err)) {
    return new FieldlineError('BLE_PAIRING_REQUIRED', `${address} refused ${what}: ${text}`, { address });
  }
  return new FieldlineError('BLE_LINK_LOST', `${what} with ${address} failed: ${text}`, { address });
}
