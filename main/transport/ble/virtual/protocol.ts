/**
 * The local-socket protocol between the virtual noble binding (main/transport/ble/virtual/binding.ts, inside the
 * app or CLI process: the "central") and a `fieldline sim --ble` process (the virtual peripherals).
 *
 * Each message is one frame: a 4-byte big-endian length, then that many bytes of UTF-8 JSON. Binary values (GATT
 * writes and notifications) travel as base64. Both ends treat the other as untrusted: every frame is bounded
 * (MAX_FRAME), parsed as JSON and validated with zod; anything else is a ProtocolError, after which the receiver
 * closes the connection — it never crashes and never waits for a frame that cannot come.
 *
 * Client → simulator: hello, scan-start, scan-stop, connect, disconnect (also cancels a pending connect),
 * subscribe (the CCCD write), write. Simulator → client: hello, advertisement, connected / connect-failed,
 * disconnected, notification, written, subscribed, error (sent just before the simulator closes a connection it
 * cannot understand).
 */
import { z } from 'zod';
import { MAX_ATT_MTU, MIN_ATT_MTU } from '../../../smp/ble-segmentation';

export const PROTOCOL_VERSION = 1;
/** Far above any legal message (a 512-byte value is ~700 base64 characters); small enough to never hurt. */
export const MAX_FRAME = 16 * 1024;
/** ATT's largest attribute value (Core spec Vol 3 Part F 3.2.9); also above any MTU − 3. */
export const MAX_VALUE = 512;
export { MIN_ATT_MTU as MIN_MTU, MAX_ATT_MTU as MAX_MTU };

/** `c0:11:22:33:44:55`: how the simulator and noble spell a BLE address (lower case, colons). */
const address = z.string().regex(/^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/, 'a BLE address like c0:11:22:33:44:55');
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** Base64 of at most MAX_VALUE bytes. */
const value = z
  .string()
  .max(Math.ceil(MAX_VALUE / 3) * 4)
  .regex(BASE64, 'base64')
  .refine((s) => s.length % 4 === 0, 'base64 padded to a multiple of 4 characters')
  .refine((s) => (s.length / 4) * 3 - (s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0) <= MAX_VALUE, `at most ${MAX_VALUE} bytes`);
const mtu = z.number().int().min(MIN_ATT_MTU).max(MAX_ATT_MTU);
const shortText = z.string().max(200);

export const clientMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('hello'), version: z.number().int().min(0).max(1000), client: z.string().max(64) }),
  z.strictObject({ type: z.literal('scan-start'), allowDuplicates: z.boolean() }),
  z.strictObject({ type: z.literal('scan-stop') }),
  /** `mtu`: the ATT MTU the central asks for in its MTU exchange. */
  z.strictObject({ type: z.literal('connect'), address, mtu }),
  z.strictObject({ type: z.literal('disconnect'), address }),
  z.strictObject({ type: z.literal('subscribe'), address, enable: z.boolean() }),
  z.strictObject({ type: z.literal('write'), address, data: value, withoutResponse: z.boolean() }),
]);

/** Why a connect failed: busy = another central holds the peripheral; unknown = no such address; protocol = a bad request. */
export const CONNECT_FAILURES = ['busy', 'unknown', 'already-connected', 'stopped'] as const;
export type ConnectFailure = (typeof CONNECT_FAILURES)[number];

export const simMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('hello'), version: z.number().int().min(0).max(1000), gateways: z.number().int().min(0).max(1000) }),
  z.strictObject({
    type: z.literal('advertisement'),
    address,
    name: z.string().max(29), // what fits a legacy advertising packet's local name
    rssi: z.number().int().min(-127).max(20),
    serviceUuids: z.array(z.string().regex(/^[0-9a-f]{4}(?:[0-9a-f]{28})?$/)).max(8),
    connectable: z.boolean(),
  }),
  z.strictObject({ type: z.literal('connected'), address, mtu }),
  z.strictObject({ type: z.literal('connect-failed'), address, code: z.enum(CONNECT_FAILURES), message: shortText }),
  /** `reason`: the HCI disconnect reason (0x08 supervision timeout, 0x13 remote user terminated, 0x16 local host). */
  z.strictObject({ type: z.literal('disconnected'), address, reason: z.number().int().min(0).max(255) }),
  z.strictObject({ type: z.literal('notification'), address, data: value }),
  /** A write went on air (without response) or was acknowledged (with); `error` when the peripheral refused it. */
  z.strictObject({ type: z.literal('written'), address, error: shortText.optional() }),
  z.strictObject({ type: z.literal('subscribed'), address, enabled: z.boolean(), error: shortText.optional() }),
  z.strictObject({ type: z.literal('error'), message: shortText }),
]);

export type ClientMessage = z.infer<typeof clientMessageSchema>;
export type SimMessage = z.infer<typeof simMessageSchema>;

/** HCI reasons the simulator reports (Core spec Vol 1 Part F). */
export const HCI_REASON = {
  /** The link was lost: out of range, or the peripheral reset without saying goodbye. */
  CONNECTION_TIMEOUT: 0x08,
  REMOTE_USER_TERMINATED: 0x13,
  LOCAL_HOST_TERMINATED: 0x16,
} as const;

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

export function encodeFrame(message: ClientMessage | SimMessage): Buffer {
  const json = Buffer.from(JSON.stringify(message), 'utf8');
  if (json.length > MAX_FRAME) throw new ProtocolError(`message of ${json.length} bytes exceeds the ${MAX_FRAME}-byte frame limit`);
  const frame = Buffer.allocUnsafe(4 + json.length);
  frame.writeUInt32BE(json.length, 0);
  json.copy(frame, 4);
  return frame;
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export function fromBase64(text: string): Uint8Array {
  const b = Buffer.from(text, 'base64');
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/**
 * Splits a byte stream into frames and validates each with `schema`. After the first error the decoder stays
 * failed (a stream with one bad length prefix has no trustworthy boundary after it): the caller closes.
 */
export class FrameDecoder<T> {
  private buffered: Buffer[] = [];
  private length = 0;
  private failed: ProtocolError | undefined;

  constructor(
    private readonly schema: z.ZodType<T>,
    private readonly onMessage: (message: T) => void,
    private readonly onError: (error: ProtocolError) => void,
  ) {}

  push(chunk: Uint8Array): void {
    if (this.failed) return;
    this.buffered.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.length += chunk.byteLength;
    while (!this.failed && this.length >= 4) {
      const head = this.take(4, false);
      const size = head.readUInt32BE(0);
      if (size === 0 || size > MAX_FRAME) return this.fail(`frame length ${size} is outside 1..${MAX_FRAME}`);
      if (this.length < 4 + size) return;
      this.take(4, true);
      const body = this.take(size, true);
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        return this.fail('a frame is not JSON');
      }
      const result = this.schema.safeParse(parsed);
      if (!result.success) {
        const issue = result.error.issues[0];
        return this.fail(`invalid message: ${issue ? `${issue.path.join('.') || 'message'}: ${issue.message}` : 'unknown shape'}`);
      }
      this.onMessage(result.data);
    }
  }

  private fail(message: string): void {
    this.failed = new ProtocolError(message);
    this.buffered = [];
    this.length = 0;
    this.onError(this.failed);
  }

  /** The first `n` buffered bytes (n ≤ length), removed when `consume`. */
  private take(n: number, consume: boolean): Buffer {
    const joined = this.buffered.length === 1 ? (this.buffered[0] as Buffer) : Buffer.concat(this.buffered);
    const out = joined.subarray(0, n);
    if (consume) {
      const rest = joined.subarray(n);
      this.buffered = rest.length > 0 ? [rest] : [];
      this.length = rest.length;
    } else {
      this.buffered = [joined];
    }
    return out;
  }
}
