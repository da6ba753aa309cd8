/**
 * Turns one received SMP packet into reply packets the way Zephyr's smp.c does, so clients meet real server
 * behaviour (SMP.md §1, §3):
 * - a packet may hold several requests; each gets its own reply, and the first error ends the packet;
 * - reply op READ→READ_RSP, anything else→WRITE_RSP; same group, sequence and command;
 * - reply Ver = request Ver clamped to 1; Ver > 1 → rc UNSUPPORTED_TOO_NEW; a v1-only server (old Zephyr,
 *   mynewt) ignores the Ver bits, answers Ver 0 and reports every error as a legacy `rc`;
 * - no handler for the group → rc ENOTSUP; a body that is not a CBOR map → rc EINVAL; a header promising more
 *   bytes than arrived → rc ECORRUPT; fewer than 8 bytes left → no reply at all (no header to answer to);
 * - group errors: v2 `{"err":{"group","rc"}, …extra}`; v1 `{"rc": legacy}` (Zephyr rebuilds the reply, so extra
 *   fields are lost); SMP-layer errors `{"rc"[, "rsn"]}` in both versions;
 * - reply bodies are zcbor-style indefinite-length maps;
 * - a reply larger than the device's buffer becomes rc EMSGSIZE, as the encoder would run out of room.
 */
import { decodeCbor, type CborValue } from '../../smp/cbor';
import { MGMT_RC, groupErrorCode, groupName } from '../../smp/error-codes';
import { HEADER_SIZE, Op, decodeHeader, encodePacket, type SmpHeader } from '../../smp/header';
import { silentLogger, type Logger } from '../../log';
import type { Body, GroupHandler, SimReply, SimRequest } from '../handler';
import { legacyRc } from './legacy-rc';
import { encodeZcbor } from './zcbor';

export interface DispatcherOptions {
  handlers: readonly GroupHandler[];
  /** Behave like a server without SMP v2: reply Ver 0 always, legacy `rc` errors. */
  smpV1Only?: boolean;
  /** Largest reply packet (header + body) the device can build: its `buf_size`. */
  maxReply?: number;
  logger?: Logger;
}

export interface DispatchOutcome {
  /** Reply packets (header + body) in order, one per request answered. */
  replies: Uint8Array[];
  /** A handler asked for a reboot: the runtime sends the replies first, then reboots. */
  reboot: boolean;
}

/** What one request is answered with: a body, or an SMP-layer `rc` (+ reason) that replaces the whole body. */
type Answer = { kind: 'reply'; body: Body } | { kind: 'rc'; rc: number; reason?: string };

export class Dispatcher {
  private readonly handlers = new Map<number, GroupHandler>();
  private readonly logger: Logger;

  constructor(private readonly options: DispatcherOptions) {
    for (const h of options.handlers) this.handlers.set(h.group, h);
    this.logger = options.logger ?? silentLogger;
  }

  async dispatch(packet: Uint8Array): Promise<DispatchOutcome> {
    const outcome: DispatchOutcome = { replies: [], reboot: false };
    let at = 0;
    while (at < packet.length && !outcome.reboot) {
      // Zephyr: a header that cannot be read is ECORRUPT with no reply, since there is nothing to answer to.
      if (packet.length - at < HEADER_SIZE) {
        this.logger.debug('dropping trailing bytes shorter than an SMP header', { bytes: packet.length - at });
        break;
      }
      const header = decodeHeader(packet.subarray(at));
      at += HEADER_SIZE;
      let answer: Answer;
      if (packet.length - at < header.length) {
        answer = { kind: 'rc', rc: MGMT_RC.ECORRUPT };
      } else {
        const body = packet.subarray(at, at + header.length);
        at += header.length;
        answer = await this.answer(header, body, () => (outcome.reboot = true));
      }
      outcome.replies.push(this.replyPacket(header, answer));
      if (answer.kind === 'rc') break; // Zephyr aborts the rest of the packet after an error response
    }
    return outcome;
  }

  private async answer(header: SmpHeader, bodyBytes: Uint8Array, reboot: () => void): Promise<Answer> {
    const v1Only = this.options.smpV1Only === true;
    if (!v1Only && header.version > 1) return { kind: 'rc', rc: MGMT_RC.UNSUPPORTED_TOO_NEW };
    const handler = this.handlers.get(header.group);
    if (!handler) return { kind: 'rc', rc: MGMT_RC.ENOTSUP };
    // Responses (and undefined ops) sent to a server have no handler: Zephyr answers ENOTSUP.
    if (header.op !== Op.Read && header.op !== Op.Write) return { kind: 'rc', rc: MGMT_RC.ENOTSUP };
    const body = decodeBody(bodyBytes);
    if (!body) return { kind: 'rc', rc: MGMT_RC.EINVAL };
    const version = v1Only ? 0 : header.version;
    const request: SimRequest = { op: header.op, version, group: header.group, command: header.command, body };
    let reply: SimReply;
    try {
      reply = await handler.handle(request, { reboot });
    } catch (err) {
      // A throwing handler is a bug in the device model; a real device would answer, so we do too, and say so.
      this.logger.error('group handler threw', { group: groupName(header.group), command: header.command, error: String(err) });
      return { kind: 'rc', rc: MGMT_RC.EUNKNOWN, reason: 'simulator handler failed' };
    }
    return this.translate(request, reply);
  }

  private translate(request: SimRequest, reply: SimReply): Answer {
    switch (reply.kind) {
      case 'ok':
        return { kind: 'reply', body: reply.body };
      case 'smp-error': {
        const rc = (MGMT_RC as Record<string, number>)[reply.name];
        if (rc === undefined) this.logger.error('unknown MGMT_ERR name from handler', { name: reply.name });
        return reply.reason === undefined
          ? { kind: 'rc', rc: rc ?? MGMT_RC.EUNKNOWN }
          : { kind: 'rc', rc: rc ?? MGMT_RC.EUNKNOWN, reason: reply.reason };
      }
      case 'group-error': {
        try {
          if (request.version === 0) return { kind: 'rc', rc: legacyRc(request.group, reply.name) };
          const rc = groupErrorCode(request.group, reply.name);
          return { kind: 'reply', body: { err: { group: request.group, rc }, ...reply.extra } };
        } catch (err) {
          this.logger.error('unknown group error name from handler', { group: request.group, name: reply.name, error: String(err) });
          return { kind: 'rc', rc: MGMT_RC.EUNKNOWN };
        }
      }
    }
  }

  private replyPacket(request: SmpHeader, answer: Answer): Uint8Array {
    const header = {
      op: request.op === Op.Read ? Op.ReadRsp : Op.WriteRsp,
      version: this.options.smpV1Only ? 0 : Math.min(request.version, 1),
      flags: 0,
      group: request.group,
      sequence: request.sequence,
      command: request.command,
    };
    let body = encodeZcbor(answerBody(answer));
    const max = this.options.maxReply;
    if (max !== undefined && HEADER_SIZE + body.length > max) {
      this.logger.warn('reply exceeds the device buffer: answering EMSGSIZE', { bytes: HEADER_SIZE + body.length, max });
      body = encodeZcbor({ rc: MGMT_RC.EMSGSIZE });
    }
    return encodePacket(header, body);
  }
}

function answerBody(answer: Answer): Body {
  if (answer.kind === 'reply') return answer.body;
  return answer.reason === undefined ? { rc: answer.rc } : { rc: answer.rc, rsn: answer.reason };
}

/** An empty body counts as `{}` (some clients send none for "no parameters"); anything but a map is refused. */
function decodeBody(bytes: Uint8Array): Body | undefined {
  if (bytes.length === 0) return {};
  let value: CborValue;
  try {
    value = decodeCbor(bytes).value;
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) return undefined;
  return value as Body;
}
