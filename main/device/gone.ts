/**
 * How a failed operation's error reads for the device's link: the link dropped (a BLE session may reconnect), or the
 * device is gone for this run. The provisioning runner, its rollback, the wait for a rebooting device and the
 * diagnostics plan all ask the same question here.
 */
import { FieldlineError } from '../errors';

/** Errors that mean the link went away (as opposed to the device refusing something). */
const LINK_LOSS = new Set(['BLE_LINK_LOST', 'DEVICE_DISCONNECTED']);

/**
 * Errors that mean the device is gone: the cable pulled or the port vanished, or a BLE link that dropped — under
 * surviveLinkLoss() one that stayed lost after the session's reconnect attempts, like an unplugged cable.
 */
const DEVICE_GONE = new Set(['PORT_VANISHED', 'DEVICE_DISCONNECTED', 'BLE_LINK_LOST']);

export function isLinkLoss(err: unknown): boolean {
  return err instanceof FieldlineError && LINK_LOSS.has(err.code);
}

export function isDeviceGone(err: unknown): boolean {
  return err instanceof FieldlineError && DEVICE_GONE.has(err.code);
}
