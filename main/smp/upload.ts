/**
 * Chunked uploads (image and FS), fast and resumable (SMP.md §5 "Pipelining", §7, §9):
 * - every chunk is sized so its packet is exactly the largest the device's buffer takes;
 * - up to `buf_count − 1` chunks are in flight (one buffer stays free for the device's replies);
 * - the device's `off` is the truth: a lower `off` rewinds, `off: 0` mid-transfer (device rebooted or lost its
 *   context) resends the first-chunk fields, a first chunk answered with a later `off` resumes from there;
 * - a lost request or reply costs one timeout, after which sending resumes from the last acknowledged offset.
 */
import { FieldlineError } from '../errors';
import { encodeCbor } from './cbor';
import type { RequestBody, SmpClient } from './client';
import { HEADER_SIZE } from './header';
import { SmpError, SmpGroupError } from './smp-error';
import { uintField } from './fields';

export interface UploadProgress {
  /** Bytes the device has acknowledged. */
  acked: number;
  total: number;
  /** Bytes sent, including resends. */
  sent: number;
}

export interface UploadControl {
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
}

export interface DeviceBuffers {
  bufSize: number;
  bufCount: number;
}

export interface UploadTarget {
  group: number;
  command: number;
  /** What the transfer is, for errors ("image upload", "upload of /lfs/x.bin"). */
  what: string;
  /** Fields only the first chunk (off 0) carries, in wire order before `off`. */
  firstFields: RequestBody;
  /** Fields every chunk carries after `data` (FS: the file name). */
  everyFields?: RequestBody;
  /**
   * FS answers a chunk at the wrong offset with an error, not with the offset it expects: this turns such an
   * error (at a chunk sent at `off`) into the device's offset, or undefined when the error is a real failure.
   */
  offsetFromError?: (err: SmpError | SmpGroupError, off: number) => Promise<number | undefined>;
}

export interface UploadOptions extends DeviceBuffers {
  /** Requests in flight; default and maximum `bufCount − 1`. 1 = stop-and-wait. */
  window?: number;
  /** Timeout of the first chunk, which makes the device erase its slot (SMP.md §9.1). */
  firstChunkTimeoutMs?: number;
  chunkTimeoutMs?: number;
  /** Timeouts in a row without progress before giving up. */
  maxStalls?: number;
}

export interface UploadResult {
  bytes: number;
  seconds: number;
  bytesPerSecond: number;
  /** Offset the device resumed from (0 for a fresh upload). */
  resumedFrom: number;
  /** Bytes sent more than once (rewinds and timeouts). */
  resentBytes: number;
  requests: number;
  /** The last reply, e.g. the image group's `match`. */
  lastReply: Record<string, unknown>;
}

/** Length of a CBOR byte-string head for `n` bytes. */
function bstrHead(n: number): number {
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
}

export function chunkBody(target: UploadTarget, off: number, data: Uint8Array): RequestBody {
  const first = off === 0 ? target.firstFields : {};
  return { ...first, off, data, ...target.everyFields };
}

/** The most data bytes a chunk at `off` can carry so that its packet is at most `maxPacket` bytes. */
export function maxChunkData(target: UploadTarget, off: number, maxPacket: number): number {
  const empty = encodeCbor(chunkBody(target, off, new Uint8Array(0))).length - 1; // minus the empty bstr head
  const room = maxPacket - HEADER_SIZE - empty;
  let n = room - 1;
  while (n > 0 && bstrHead(n) + n > room) n--;
  return Math.max(0, n);
}

export async function pipelinedUpload(
  client: SmpClient,
  data: Uint8Array,
  target: UploadTarget,
  options: UploadOptions,
  control: UploadControl = {},
): Promise<UploadResult> {
  const total = data.length;
  const maxPacket = client.maxPacketFor(options.bufSize);
  const window = Math.max(1, Math.min(options.window ?? options.bufCount - 1, options.bufCount - 1));
  const chunkTimeoutMs = options.chunkTimeoutMs ?? client.defaultTimeoutMs;
  const firstChunkTimeoutMs = options.firstChunkTimeoutMs ?? 40_000;
  const maxStalls = options.maxStalls ?? 5;
  const started = performance.now();

  if (maxChunkData(target, 0, maxPacket) <= 0) {
    throw new FieldlineError('UPLOAD_REJECTED', `${target.what}: the device's buffer (${options.bufSize} bytes) cannot hold one chunk`);
  }

  let acked = 0;
  let nextOff = 0;
  let generation = 0;
  let inFlight = 0;
  let sent = 0;
  let resent = 0;
  let requests = 0;
  let stalls = 0;
  let futileRewinds = 0;
  let resumedFrom = 0;
  let firstDone = false;
  let lastReply: Record<string, unknown> = {};
  let failure: Error | undefined;
  let wake: (() => void) | undefined;

  const stalled = (why: string): FieldlineError =>
    new FieldlineError('UPLOAD_STALLED', `${target.what}: no progress at offset ${acked} of ${total} (${why})`, { acked, total });

  /** Sends from `to` again; chunks already in flight belong to an older generation and their replies are only
   * used as acknowledgements. */
  const rewind = (to: number): void => {
    generation++;
    nextOff = to;
    if (to === 0) firstDone = false;
    if (++futileRewinds > maxStalls * 4) throw stalled(`${futileRewinds} resends without progress`);
  };

  const advance = (off: number): void => {
    if (off > acked) {
      acked = off;
      stalls = 0;
      futileRewinds = 0;
    }
  };

  const onAck = (off: number, sentOff: number, sentSize: number, gen: number): void => {
    if (off > total) throw new FieldlineError('SMP_MALFORMED', `${target.what}: device acknowledged offset ${off} of ${total}`);
    if (!firstDone) {
      if (sentOff !== 0) return; // a reply from before the transfer restarted
      // A first chunk answered beyond its own data means the device resumed an interrupted upload (same sha).
      if (off > sentSize) resumedFrom = off;
      firstDone = off > 0 || total === 0;
      acked = off;
      nextOff = off;
      if (!firstDone && ++futileRewinds > maxStalls * 4) throw stalled('the device keeps refusing the first chunk');
      return;
    }
    advance(off);
    if (gen !== generation) return;
    // The device expects an earlier offset than this chunk's end: it dropped something (or rebooted: off 0).
    if (off < sentOff + sentSize) rewind(off);
    else if (off > nextOff) nextOff = off;
  };

  const sendChunk = (off: number): void => {
    const size = Math.min(maxChunkData(target, off, maxPacket), total - off);
    const body = chunkBody(target, off, data.subarray(off, off + size));
    const gen = generation;
    inFlight++;
    requests++;
    nextOff = off + size;
    if (off < sent) resent += Math.min(size, sent - off);
    sent = Math.max(sent, off + size);
    client
      .write(target.group, target.command, body, {
        timeoutMs: off === 0 ? firstChunkTimeoutMs : chunkTimeoutMs,
        retries: 0,
        signal: control.signal,
      })
      .then(
        (reply) => {
          lastReply = reply;
          onAck(uintField(reply, 'off', target.what), off, size, gen);
        },
        async (err: unknown) => {
          if ((err instanceof SmpError || err instanceof SmpGroupError) && target.offsetFromError) {
            const hinted = await target.offsetFromError(err, off);
            if (hinted !== undefined) return onAck(hinted, off, size, gen);
          }
          if (!(err instanceof FieldlineError && err.code === 'DEVICE_TIMEOUT')) throw err;
          if (firstDone && acked >= off + size) return; // a later acknowledgement covers it (SMP.md §9.3)
          if (++stalls > maxStalls) throw stalled(`${stalls} timeouts in a row`);
          if (gen === generation) rewind(firstDone ? acked : 0);
        },
      )
      .catch((err: unknown) => {
        failure ??= err as Error;
      })
      .finally(() => {
        inFlight--;
        wake?.();
      });
  };

  const waitForReply = (): Promise<void> => new Promise<void>((resolve) => (wake = resolve));

  client.setMaxInFlight(window);
  try {
    for (;;) {
      if (failure) throw failure;
      if (control.signal?.aborted) throw new FieldlineError('CANCELLED', `${target.what} cancelled`);
      if (firstDone && acked >= total) break;
      if (firstDone) {
        while (inFlight < window && nextOff < total) sendChunk(nextOff);
      } else if (inFlight === 0) {
        // The first chunk travels alone: the device erases its slot and may answer with a resume offset.
        sendChunk(0);
      }
      if (inFlight === 0) {
        // Everything sent, nothing outstanding, not all acknowledged: go back to what the device confirmed.
        rewind(acked);
        continue;
      }
      control.onProgress?.({ acked, total, sent });
      await waitForReply();
      wake = undefined;
    }
    while (inFlight > 0) {
      await waitForReply();
      wake = undefined;
    }
  } finally {
    client.setMaxInFlight(1);
  }
  control.onProgress?.({ acked, total, sent });
  const seconds = (performance.now() - started) / 1000;
  return {
    bytes: total,
    seconds,
    bytesPerSecond: seconds > 0 ? (total - resumedFrom) / seconds : 0,
    resumedFrom,
    resentBytes: resent,
    requests,
    lastReply,
  };
}
