/** Image group (1): slot state, test/confirm, pipelined resumable upload, erase, slot info. */
import { createHash } from 'node:crypto';
import type { SmpClient } from '../client';
import { GROUP } from '../error-codes';
import { arrayField, bytesField, mapValue, optionalBool, optionalUint, textField, uintField } from '../fields';
import type { ReplyBody } from '../smp-error';
import { pipelinedUpload, type UploadControl, type UploadOptions, type UploadResult } from '../upload';

const G = GROUP.IMAGE;

export interface ImageSlot {
  image: number;
  slot: number;
  version: string;
  /** MCUboot image hash (the SHA-256 TLV), hex. */
  hash?: string;
  bootable: boolean;
  pending: boolean;
  confirmed: boolean;
  active: boolean;
  permanent: boolean;
}

function parseSlots(body: ReplyBody): ImageSlot[] {
  return arrayField(body, 'images', 'image state').map((v, i) => {
    const s = mapValue(v, `image state entry ${i}`);
    const what = `image state entry ${i}`;
    const hash = s.hash === undefined ? undefined : Buffer.from(bytesField(s, 'hash', what)).toString('hex');
    return {
      image: optionalUint(s, 'image', what) ?? 0,
      slot: uintField(s, 'slot', what),
      version: textField(s, 'version', what),
      ...(hash ? { hash } : {}),
      bootable: optionalBool(s, 'bootable', what) ?? false,
      pending: optionalBool(s, 'pending', what) ?? false,
      confirmed: optionalBool(s, 'confirmed', what) ?? false,
      active: optionalBool(s, 'active', what) ?? false,
      permanent: optionalBool(s, 'permanent', what) ?? false,
    };
  });
}

export async function readState(client: SmpClient): Promise<ImageSlot[]> {
  return parseSlots(await client.read(G, 0));
}

/** Marks an uploaded image to run once after the next reset; MCUboot reverts unless it is then confirmed. */
export async function testImage(client: SmpClient, hashHex: string): Promise<ImageSlot[]> {
  return parseSlots(await client.write(G, 0, { hash: Buffer.from(hashHex, 'hex'), confirm: false }));
}

/** Confirms the running image (no hash) or makes an uploaded one permanent (with its hash). */
export async function confirmImage(client: SmpClient, hashHex?: string): Promise<ImageSlot[]> {
  return parseSlots(await client.write(G, 0, hashHex ? { hash: Buffer.from(hashHex, 'hex'), confirm: true } : { confirm: true }));
}

export interface ImageUploadOptions extends UploadOptions {
  image?: number;
  /** Ask the device to refuse an image that is not newer than the running one. */
  upgrade?: boolean;
}

export interface ImageUploadResult extends UploadResult {
  /** SHA-256 of the uploaded file: the resume key, sent with the first chunk. */
  sha256: string;
  match?: boolean;
}

/**
 * Uploads an image to the secondary slot. The first chunk carries the file's SHA-256, so an interrupted upload
 * of the same file resumes where the device stopped.
 */
export async function uploadImage(
  client: SmpClient,
  data: Uint8Array,
  options: ImageUploadOptions,
  control: UploadControl = {},
): Promise<ImageUploadResult> {
  const sha = createHash('sha256').update(data).digest();
  const result = await pipelinedUpload(
    client,
    data,
    {
      group: G,
      command: 1,
      what: 'image upload',
      firstFields: { image: options.image ?? 0, len: data.length, sha, ...(options.upgrade ? { upgrade: true } : {}) },
    },
    options,
    control,
  );
  const match = result.lastReply.match;
  return { ...result, sha256: sha.toString('hex'), ...(typeof match === 'boolean' ? { match } : {}) };
}

/** Erases a slot (default: the secondary). Synchronous on the device: can take seconds. */
export async function eraseSlot(client: SmpClient, slot?: number): Promise<void> {
  await client.write(G, 5, slot === undefined ? {} : { slot }, { timeoutMs: 30_000, retries: 0 });
}

export interface SlotInfo {
  image: number;
  slots: Array<{ slot: number; size: number; uploadImageId?: number }>;
  maxImageSize?: number;
}

export async function slotInfo(client: SmpClient): Promise<SlotInfo[]> {
  const body = await client.read(G, 6);
  return arrayField(body, 'images', 'slot info').map((v, i) => {
    const img = mapValue(v, `slot info ${i}`);
    const what = `slot info ${i}`;
    const maxImageSize = optionalUint(img, 'max_image_size', what);
    return {
      image: uintField(img, 'image', what),
      slots: arrayField(img, 'slots', what).map((sv, j) => {
        const s = mapValue(sv, `${what} slot ${j}`);
        const id = optionalUint(s, 'upload_image_id', what);
        return { slot: uintField(s, 'slot', what), size: uintField(s, 'size', what), ...(id !== undefined ? { uploadImageId: id } : {}) };
      }),
      ...(maxImageSize !== undefined ? { maxImageSize } : {}),
    };
  });
}
