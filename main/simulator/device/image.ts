/**
 * Image management group (1), after Zephyr's img_mgmt.c and img_mgmt_state.c for one updatable image with MCUboot
 * in swap-without-scratch mode: state read/write (0), upload (1, see image-upload.ts), erase (5), slot info (6).
 * The `hash` everywhere is the image's SHA-256 TLV, as Zephyr reports it.
 */
import { GROUP } from '../../smp/error-codes';
import type { Body, SimReply } from '../handler';
import type { DeviceContext } from './context';
import { ImageUploader } from './image-upload';
import { bootMcuboot, nextBoot, secondaryInUse, type BootOutcome } from './mcuboot-boot';
import { formatZephyrVersion, IMAGE_F_NON_BOOTABLE } from '../../device/mcuboot-image';
import { defineGroup, groupErrors, ok, optBool, optBytes, optUint, type DeviceGroupHandler } from './request';
import type { SlotContents } from './state';

export { nextBoot, secondaryInUse, swapType, type BootOutcome, type SwapType } from './mcuboot-boot';

const err = groupErrors(GROUP.IMAGE);

interface SlotFlags {
  pending: boolean;
  confirmed: boolean;
  active: boolean;
  permanent: boolean;
}

/** One entry of `images`, or nothing when the slot holds no readable image with a hash (img_mgmt_read_info fails). */
function slotEntry(slot: 0 | 1, contents: SlotContents | undefined, flags: SlotFlags): Body | undefined {
  const image = contents?.image;
  if (!image?.hash) return undefined;
  return {
    image: 0,
    slot,
    version: formatZephyrVersion(image.version),
    hash: image.hash,
    bootable: (image.flags & IMAGE_F_NON_BOOTABLE) === 0,
    ...flags,
  };
}

/** img_mgmt_state_read: flags come from the next-boot view, not from per-slot bookkeeping. */
export function imageStateBody(device: DeviceContext): Body {
  const { state } = device;
  const next = nextBoot(state);
  const primary: SlotFlags = { pending: false, confirmed: next.type !== 'revert', active: true, permanent: false };
  const secondary: SlotFlags = { pending: false, confirmed: false, active: false, permanent: false };
  if (next.slot !== 0) {
    if (next.type === 'normal') Object.assign(secondary, { pending: true, permanent: true });
    else if (next.type === 'revert') secondary.confirmed = true;
    else secondary.pending = true;
  }
  const images = [slotEntry(0, state.slot(0), primary), slotEntry(1, state.slot(1), secondary)].filter(
    (e): e is Body => e !== undefined,
  );
  return { images, splitStatus: 0 };
}

function findByHash(device: DeviceContext, hash: Uint8Array): 0 | 1 | undefined {
  for (const slot of [0, 1] as const) {
    const found = device.state.slot(slot)?.image?.hash;
    if (found && Buffer.from(found).equals(Buffer.from(hash))) return slot;
  }
  return undefined;
}

/** img_mgmt_state_write + img_mgmt_set_next_boot_slot, case by case. */
async function stateWrite(device: DeviceContext, body: Body): Promise<SimReply> {
  const hash = optBytes(body, 'hash');
  const confirm = optBool(body, 'confirm') ?? false;
  let slot: 0 | 1;
  if (!hash || hash.length === 0) {
    // "test" without a hash names nothing.
    if (!confirm) return err('INVALID_HASH');
    slot = 0;
  } else if (hash.length !== 32) {
    return err('INVALID_HASH');
  } else {
    const found = findByHash(device, hash);
    if (found === undefined) return err('HASH_NOT_FOUND');
    slot = found;
  }
  const next = nextBoot(device.state);
  const done = (): SimReply => ok(imageStateBody(device));
  if (!confirm && slot === 0) return err('IMAGE_SETTING_TEST_TO_ACTIVE_DENIED');
  if (next.type === 'test') {
    // Asking again for the test already set is fine; anything else must wait for the reboot.
    return !confirm && slot === next.slot ? done() : err('IMAGE_ALREADY_PENDING');
  }
  if (next.type === 'normal') {
    if (confirm && slot === next.slot) return done();
    // Once another slot is confirmed for the next boot, the choice is made.
    if ((slot === 0 && next.slot !== 0) || (!confirm && slot !== 0 && slot === next.slot)) return err('IMAGE_ALREADY_PENDING');
  }
  if (next.type === 'revert') {
    if (confirm && slot === next.slot) return done();
    if (!confirm) return err('IMAGE_ALREADY_PENDING');
  }
  if (slot === 0) await device.state.setBootFlags({ runningConfirmed: true });
  else await device.state.setBootFlags({ pending: confirm ? 'perm' : 'test' });
  return done();
}

/**
 * img_mgmt_erase. A slot in use (the running one, a pending one, or the one a revert returns to) is refused with
 * NO_FREE_SLOT, which is what current Zephyr answers (SMP.md's EBADSTATE is the v1 translation of that code).
 * The primary slot is always in use.
 */
async function erase(device: DeviceContext, uploader: ImageUploader, body: Body): Promise<SimReply> {
  const slot = optUint(body, 'slot') ?? 1;
  if (slot > 1) return err('INVALID_SLOT');
  if (slot === 0 || secondaryInUse(device.state)) return err('NO_FREE_SLOT');
  if (device.state.slot(1)) {
    await device.flashErase();
    await device.state.eraseSecondary();
  }
  uploader.reset();
  return ok();
}

function slotInfo(device: DeviceContext): SimReply {
  const size = device.config.slotSize;
  return ok({ images: [{ image: 0, slots: [{ slot: 0, size }, { slot: 1, size, upload_image_id: 0 }] }] });
}

export interface ImageGroup {
  handler: DeviceGroupHandler;
  uploader: ImageUploader;
}

export function createImageGroup(device: DeviceContext): ImageGroup {
  const uploader = new ImageUploader(device);
  const handler = defineGroup({
    group: GROUP.IMAGE,
    name: 'img mgmt',
    commands: {
      0: { read: () => ok(imageStateBody(device)), write: ({ body }) => stateWrite(device, body) },
      1: { write: ({ body }) => uploader.upload(body) },
      5: { write: ({ body }) => erase(device, uploader, body) },
      6: { read: () => slotInfo(device) },
    },
    onBoot: () => uploader.reset(),
  });
  return { handler, uploader };
}

/** What the runtime's reboot does to the images: MCUboot's swap or revert. The upload context is RAM: boot clears it. */
export function boot(device: DeviceContext): Promise<BootOutcome> {
  return bootMcuboot(device.state, {
    delays: device.config.delays,
    sleep: (ms) => device.sleep(ms),
    log: device.log,
    keys: device.config.bootKeys,
  });
}
