/**
 * An in-memory Transport for unit tests: what the client writes is decoded into SMP packets and handed to a
 * scripted device function, whose replies are framed back. Faults (silence, late or duplicated replies) are the
 * script's to choose.
 */
import { decodeCbor, encodeCbor, type CborValue } from '../smp/cbor';
import { decodePacket, encodePacket, Op, type SmpHeader } from '../smp/header';
import { encodeSerialFrames, SerialPacketDecoder } from '../smp/serial-framing';
import { Listeners, type Transport } from '../transport/transport';

export type Body = { [key: string]: CborValue };

export interface ScriptedRequest {
  header: SmpHeader;
  body: Body;
}

/** Returns a reply body, `null` for silence, or an explicit list of replies (header overrides allowed). */
export type DeviceScript = (
  request: ScriptedRequest,
  reply: (body: Body, header?: Partial<SmpHeader>, delayMs?: number) => void,
) => Body | null | void;

export class MemoryTransport implements Transport {
  readonly kind = 'serial' as const;
  isOpen = false;
  readonly requests: ScriptedRequest[] = [];
  private readonly data = new Listeners<[Uint8Array]>();
  private readonly closed = new Listeners<[Error | undefined]>();
  private readonly decoder = new SerialPacketDecoder({
    onPacket: (p) => this.handle(p),
    onError: (e) => {
      throw e;
    },
  });

  constructor(
    private readonly script: DeviceScript,
    readonly id = `memory:${Math.random().toString(36).slice(2)}`,
  ) {}

  async open(): Promise<void> {
    this.isOpen = true;
  }

  async close(): Promise<void> {
    this.isOpen = false;
    this.closed.emit(undefined);
  }

  /** Simulates an unplug. */
  vanish(error: Error): void {
    this.isOpen = false;
    this.closed.emit(error);
  }

  async write(bytes: Uint8Array): Promise<void> {
    this.decoder.push(bytes);
  }

  /** Delivers raw bytes as if the device had sent them. */
  inject(bytes: Uint8Array): void {
    this.data.emit(bytes);
  }

  onData(listener: (data: Uint8Array) => void): () => void {
    return this.data.add(listener);
  }

  onClose(listener: (error?: Error) => void): () => void {
    return this.closed.add(listener);
  }

  private handle(packet: Uint8Array): void {
    const { header, body } = decodePacket(packet);
    const request = { header, body: (body.length ? decodeCbor(body).value : {}) as Body };
    this.requests.push(request);
    const reply = (replyBody: Body, overrides: Partial<SmpHeader> = {}, delayMs = 0): void => {
      const rsp = encodePacket(
        {
          op: request.header.op === Op.Read ? Op.ReadRsp : Op.WriteRsp,
          version: request.header.version,
          flags: 0,
          group: request.header.group,
          sequence: request.header.sequence,
          command: request.header.command,
          ...overrides,
        },
        encodeCbor(replyBody),
      );
      const send = (): void => {
        for (const f of encodeSerialFrames(rsp)) this.data.emit(f);
      };
      if (delayMs > 0) setTimeout(send, delayMs);
      else queueMicrotask(send);
    };
    const result = this.script(request, reply);
    if (result) reply(result);
  }
}
