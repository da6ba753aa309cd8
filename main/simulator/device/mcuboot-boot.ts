/**
 * The virtual MCUboot in "swap without scratch" mode: what the trailer flags mean for the next boot (Zephyr's
 * img_mgmt_get_next_boot_slot reads the same thing through mcuboot_swap_type), and the swap or revert at reset.
 */
import type { Logger } from '../../log';
import type { DeviceDelays } from './config';
import { formatVersion } from '../../device/mcuboot-image';
import type { FirmwareKey } from '../../device/firmware-keys';
import { verifyMcubootImage } from '../../device/mcuboot-signature';
import { isFieldlineError } from '../../errors';
import type { DeviceState, SlotContents } from './state';

/** BOOT_SWAP_TYPE_*: what MCUboot will do at the next reset. */
export type SwapType = 'none' | 'test' | 'perm' | 'revert';

export function swapType(state: DeviceState): SwapType {
  if (state.pending !== 'none') return state.pending;
  // Running a test image that nobody confirmed: MCUboot swaps the old one back at the next reset.
  return state.runningConfirmed ? 'none' : 'revert';
}

/** Zephyr's view (img_mgmt_get_next_boot_slot): which slot boots next, and how. */
export function nextBoot(state: DeviceState): { slot: 0 | 1; type: 'normal' | 'test' | 'revert' } {
  switch (swapType(state)) {
    case 'none':
      return { slot: 0, type: 'normal' };
    case 'perm':
      return { slot: 1, type: 'normal' };
    case 'test':
      return { slot: 1, type: 'test' };
    case 'revert':
      return { slot: 1, type: 'revert' };
  }
}

/**
 * img_mgmt_slot_in_use for the secondary slot: it is in use while anything will boot from it (pending test or
 * permanent) or while it holds the image a revert returns to. Uploads and erases must leave it alone then.
 */
export function secondaryInUse(state: DeviceState): boolean {
  return swapType(state) !== 'none';
}

export type BootOutcome =
  /** Nothing to do: the primary slot runs. */
  | 'none'
  /** Swapped to the pending image, which now runs unconfirmed and is reverted at the next reset. */
  | 'test'
  /** Swapped to the pending image permanently. */
  | 'perm'
  /** The unconfirmed test image was swapped back out. */
  | 'reverted'
  /** The pending image failed verification and was erased; the old image runs on. */
  | 'rejected';

/**
 * Why MCUboot would refuse to boot the secondary image (boot_validate_slot), or undefined if it boots. Without built-in
 * keys it checks what every image carries, the SHA-256 TLV; with them (MCUBOOT_SIGNATURE_TYPE_*), the signature too.
 */
function refusal(secondary: SlotContents | undefined, keys: readonly FirmwareKey[]): string | undefined {
  if (!secondary?.image) return 'the secondary slot holds no image';
  if (keys.length === 0) return secondary.image.hashValid ? undefined : 'its SHA-256 TLV does not match';
  try {
    verifyMcubootImage(secondary.bytes, keys);
    return undefined;
  } catch (err) {
    if (isFieldlineError(err)) return `${err.code}: ${err.message}`;
    throw err;
  }
}

export async function bootMcuboot(
  state: DeviceState,
  options: { delays: DeviceDelays; sleep: (ms: number) => Promise<void>; log: Logger; keys?: readonly FirmwareKey[] },
): Promise<BootOutcome> {
  const type = swapType(state);
  if (type === 'none') return 'none';
  const secondary = state.slot(1);
  if (type === 'test' || type === 'perm') {
    // MCUboot validates the secondary image before swapping; one that fails is erased and the old image runs on.
    const reason = refusal(secondary, options.keys ?? []);
    if (reason !== undefined || !secondary?.image) {
      options.log.warn('pending image failed verification; erasing the secondary slot', { reason });
      await state.eraseSecondary();
      await state.setBootFlags({ pending: 'none' });
      return 'rejected';
    }
    await swapCost(state, options);
    await state.swapSlots();
    await state.setBootFlags({ pending: 'none', runningConfirmed: type === 'perm' });
    options.log.info('swapped to the pending image', { version: formatVersion(secondary.image.version), type });
    return type;
  }
  // Revert. Without an image to go back to (the state directory was edited by hand) there is nothing to swap.
  if (secondary) {
    await swapCost(state, options);
    await state.swapSlots();
  }
  await state.setBootFlags({ runningConfirmed: true });
  options.log.info('test image was not confirmed; reverted');
  return 'reverted';
}

/** Swap-move rewrites both slots: charge a write of each image. */
async function swapCost(state: DeviceState, options: { delays: DeviceDelays; sleep: (ms: number) => Promise<void> }): Promise<void> {
  const bytes = (state.slot(0)?.bytes.length ?? 0) + (state.slot(1)?.bytes.length ?? 0);
  await options.sleep((bytes / 1024) * options.delays.flashWritePerKiB);
}
