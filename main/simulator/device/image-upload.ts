/**
 * Image upload (group 1, command 1) with Zephyr's semantics (img_mgmt.c img_mgmt_upload, zephyr_img_mgmt.c
 * img_mgmt_upload_inspect). The upload context lives in RAM and is lost at reboot; the secondary slot is flash.
 *
 * - off = 0 starts an upload: the chunk must hold the 32-byte header (INVALID_IMAGE_HEADER), carry `len`
 *   (INVALID_LENGTH) and start with the MCUboot magic (INVALID_IMAGE_HEADER_MAGIC). The slot is erased first.
 * - A first chunk whose `sha` (and `len`) equals the interrupted upload's resumes it: the reply carries the saved
 *   offset and nothing is written.
 * - A chunk at any other offset than the expected one is dropped and answered {off: expected} with success, so a
 *   pipelining client resends from there; with no upload in progress (after a reboot) that offset is 0, which tells
 *   the client to resend the first-chunk fields.
 * - Any error ends the upload (img_mgmt_reset_upload).
 */
import { createHash } from 'node:crypto';
import { GROUP } from '../../smp/error-codes';
import type { Body, SimReply } from '../handler';
import type { DeviceContext } from './context';
import { secondaryInUse } from './mcuboot-boot';
import { compareVersions, IMAGE_HEADER_SIZE, readImageHeader } from '../../device/mcuboot-image';
import { groupErrors, ok, optBool, optBytes, optUint } from './request';

const err = groupErrors(GROUP.IMAGE);

interface UploadContext {
  size: number;
  sha: Uint8Array;
  off: number;
  data: Uint8Array;
}

const equalBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));
const sha256 = (b: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(b).digest());

export class ImageUploader {
  private ctx: UploadContext | undefined;

  constructor(private readonly device: DeviceContext) {}

  /** Forget the upload in progress (reboot, image erase). */
  reset(): void {
    this.ctx = undefined;
  }

  async upload(body: Body): Promise<SimReply> {
    const req = {
      image: optUint(body, 'image'),
      data: optBytes(body, 'data') ?? new Uint8Array(0),
      len: optUint(body, 'len'),
      off: optUint(body, 'off'),
      sha: optBytes(body, 'sha') ?? new Uint8Array(0),
      upgrade: optBool(body, 'upgrade') ?? false,
    };
    // A single-image Zephyr build ignores `image` (only its type is checked above): uploads go to the secondary slot.
    let reply: SimReply;
    if (req.off === undefined) reply = err('INVALID_OFFSET');
    else if (req.off === 0) reply = await this.first(req);
    else reply = await this.next({ off: req.off, data: req.data });
    if (reply.kind !== 'ok') this.reset();
    return reply;
  }

  private async first(req: { data: Uint8Array; len: number | undefined; sha: Uint8Array; upgrade: boolean }): Promise<SimReply> {
    const { state, config } = this.device;
    if (req.data.length < IMAGE_HEADER_SIZE) return err('INVALID_IMAGE_HEADER');
    if (req.len === undefined) return err('INVALID_LENGTH');
    const header = readImageHeader(req.data);
    if (!header) return err('INVALID_IMAGE_HEADER_MAGIC');
    if (req.sha.length > 32) return err('INVALID_HASH');

    const current = this.ctx;
    if (req.sha.length > 0 && current && current.size === req.len && equalBytes(current.sha, req.sha)) {
      return ok({ off: current.off });
    }
    if (secondaryInUse(state)) return err('NO_FREE_SLOT');
    if (req.len > config.slotSize) return err('INVALID_IMAGE_TOO_LARGE');
    if (req.upgrade) {
      const running = state.slot(0)?.image?.version;
      if (!running) return err('VERSION_GET_FAILED');
      // Zephyr compares without the build number unless built with VERSION_CMP_USE_BUILD_NUMBER.
      if (compareVersions(running, header.version, false) >= 0) return err('CURRENT_VERSION_IS_NEWER');
    }

    // CONFIG_IMG_ENABLE_IMAGE_CHECK: a slot that already holds exactly these bytes needs no upload.
    const held = state.slot(1)?.bytes;
    if (req.sha.length === 32 && held && held.length >= req.len && equalBytes(sha256(held.subarray(0, req.len)), req.sha)) {
      this.reset();
      return ok({ off: req.len, match: true });
    }

    if (state.slot(1)) {
      await this.device.flashErase();
      await state.eraseSecondary();
    }
    this.ctx = { size: req.len, sha: req.sha.slice(), off: 0, data: new Uint8Array(req.len) };
    return this.write(req.data);
  }

  private async next(req: { off: number; data: Uint8Array }): Promise<SimReply> {
    const ctx = this.ctx;
    if (!ctx || req.off !== ctx.off) return ok({ off: ctx?.off ?? 0 });
    return this.write(req.data);
  }

  private async write(data: Uint8Array): Promise<SimReply> {
    const ctx = this.ctx;
    if (!ctx) throw new Error('write without an upload context');
    if (ctx.off + data.length > ctx.size) return err('INVALID_IMAGE_DATA_OVERRUN');
    if (data.length === 0) return ok({ off: ctx.off });
    await this.device.flashWrite(data.length);
    ctx.data.set(data, ctx.off);
    ctx.off += data.length;
    if (ctx.off < ctx.size) return ok({ off: ctx.off });

    // Last chunk: the slot now holds the image. Zephyr's image check compares the full 32-byte `sha` only.
    const slot = await this.device.state.writeSlot(1, ctx.data);
    const match = ctx.sha.length === 32 && equalBytes(sha256(ctx.data), ctx.sha);
    this.device.log.info('image upload complete', {
      bytes: ctx.size,
      match,
      valid: slot.image?.hashValid ?? false,
    });
    this.reset();
    return ok({ off: ctx.size, match });
  }
}
