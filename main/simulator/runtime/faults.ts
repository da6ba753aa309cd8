/**
 * Fault injection for one gateway: decides, request by request, what goes wrong. Decisions come from a seeded
 * PRNG per (seed, gateway, fault), so a run with the same --seed and the same traffic fails the same way, and
 * adding a fault for one gateway does not change the dice of another.
 */
import { decodeCbor } from '../../smp/cbor';
import { GROUP } from '../../smp/error-codes';
import { HEADER_SIZE, Op, decodeHeader } from '../../smp/header';
import { targets, type FaultSpec } from './fault-spec';

export { faultHelp, parseFaultSpec, parseFaultSpecs, type FaultSpec } from './fault-spec';

/** mulberry32: tiny, fast, good enough for dice; not for anything secret. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mix(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) h = Math.imul(h ^ (p >>> 0), 0x01000193) >>> 0;
  return h;
}

export interface RequestDecision {
  /** The request never reaches the device. */
  drop: boolean;
  /** Reboot instead of processing (reboot-mid-upload). */
  reboot: boolean;
}

export interface ReplyPlan {
  /** Busy time before the reply leaves. */
  delayMs: number;
  /** Frame sets to write, in order: empty = reply lost, two = duplicated. */
  sends: Uint8Array[][];
}

interface Armed {
  spec: FaultSpec;
  rng: () => number;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export class GatewayFaults {
  private readonly armed: Armed[];
  private requests = 0;
  private disconnected = false;
  private rebootedForUpload = false;

  constructor(specs: readonly FaultSpec[], gatewayIndex: number, seed: number) {
    this.armed = specs
      .map((spec, i) => ({ spec, rng: createRng(mix(seed, gatewayIndex, i)) }))
      .filter(({ spec }) => targets(spec, gatewayIndex));
  }

  /** Diagnostics the device model must report as failing: `name`, or `name@version` while that image version runs. */
  get failDiagnostics(): string[] {
    return this.armed.flatMap(({ spec }) => (spec.kind === 'fail-diag' ? [spec.image === undefined ? spec.name : `${spec.name}@${spec.image}`] : []));
  }

  /** Called for every packet the link delivers, before the device sees it. */
  onRequest(packet: Uint8Array): RequestDecision {
    for (const { spec, rng } of this.armed) {
      if (spec.kind === 'drop-request' && rng() < spec.p) return { drop: true, reboot: false };
    }
    this.requests++;
    const rebootAt = this.armed.find(({ spec }) => spec.kind === 'reboot-mid-upload')?.spec;
    if (rebootAt?.kind === 'reboot-mid-upload' && !this.rebootedForUpload) {
      const chunk = uploadChunk(packet);
      if (chunk && chunk.off <= rebootAt.at && rebootAt.at < chunk.off + chunk.length) {
        this.rebootedForUpload = true;
        return { drop: false, reboot: true };
      }
    }
    return { drop: false, reboot: false };
  }

  /**
   * What happens to one reply's frames. `corrupt` spoils them for corrupt-reply: serial frames by default (a
   * failing CRC); the BLE runtime passes its own, since GATT values carry no base64 or CRC.
   */
  onReply(frames: Uint8Array[], corrupt: (frames: Uint8Array[], rng: () => number) => Uint8Array[] = corruptFrames): ReplyPlan {
    let delayMs = 0;
    let out = frames;
    let copies = 1;
    for (const { spec, rng } of this.armed) {
      switch (spec.kind) {
        case 'drop-reply':
          if (rng() < spec.p) copies = 0;
          break;
        case 'corrupt-reply':
          if (rng() < spec.p) out = corrupt(out, rng);
          break;
        case 'duplicate-reply':
          if (rng() < spec.p && copies > 0) copies = 2;
          break;
        case 'delay-reply':
          if (rng() < spec.p) delayMs += spec.ms;
          break;
        default:
          break;
      }
    }
    return { delayMs, sends: Array.from({ length: copies }, () => out) };
  }

  /** After a request was handled and its replies flushed: is it time to unplug? (once per run) */
  disconnectNow(): { backMs?: number } | undefined {
    if (this.disconnected) return undefined;
    for (const { spec } of this.armed) {
      if (spec.kind === 'disconnect' && this.requests >= spec.after) {
        this.disconnected = true;
        return spec.back === undefined ? {} : { backMs: spec.back };
      }
    }
    return undefined;
  }
}

/** Offset and data length of an image upload (group 1 cmd 1) or FS upload (group 8 cmd 0) write, else undefined. */
export function uploadChunk(packet: Uint8Array): { off: number; length: number } | undefined {
  if (packet.length < HEADER_SIZE) return undefined;
  const h = decodeHeader(packet);
  const isUpload = (h.group === GROUP.IMAGE && h.command === 1) || (h.group === GROUP.FS && h.command === 0);
  if (!isUpload || h.op !== Op.Write) return undefined;
  try {
    const body = decodeCbor(packet.subarray(HEADER_SIZE, HEADER_SIZE + h.length)).value;
    if (!body || typeof body !== 'object' || Array.isArray(body) || body instanceof Uint8Array) return undefined;
    const { off, data } = body as { off?: unknown; data?: unknown };
    if (typeof off !== 'number' || !(data instanceof Uint8Array)) return undefined;
    return { off, length: data.length };
  } catch {
    return undefined;
  }
}

/**
 * Changes one base64 character so the frame still decodes but the CRC-16 fails: only characters of complete
 * 4-character groups are chosen (their 6 bits are all used), never the first three characters (they carry the
 * length prefix, whose corruption would be reported as a length error rather than a CRC error).
 */
export function corruptFrames(frames: Uint8Array[], rng: () => number): Uint8Array[] {
  const copies = frames.map((f) => Uint8Array.from(f));
  // Positions (frame, index) of base64 characters, in text order.
  const positions: Array<[number, number]> = [];
  copies.forEach((f, fi) => {
    for (let i = 2; i < f.length - 1; i++) positions.push([fi, i]);
  });
  const last = copies[copies.length - 1];
  const padded = last ? (last[last.length - 2] === 0x3d ? 4 : 0) : 0; // a padded final group is left alone
  const candidates = positions.slice(3, positions.length - padded);
  if (candidates.length === 0) return copies;
  const [fi, i] = candidates[Math.floor(rng() * candidates.length)] as [number, number];
  const frame = copies[fi] as Uint8Array;
  const old = BASE64.indexOf(String.fromCharCode(frame[i] as number));
  frame[i] = BASE64.charCodeAt((old + 1 + Math.floor(rng() * 63)) % 64);
  return copies;
}
