/** File-system group (8): pipelined upload, chunked download, status, hash/checksum, supported types, close. */
import type { SmpClient } from '../client';
import { GROUP } from '../error-codes';
import { FieldlineError } from '../../errors';
import { bytesField, mapField, mapValue, optionalUint, textField, uintField } from '../fields';
import { SmpError, SmpGroupError } from '../smp-error';
import { pipelinedUpload, type UploadControl, type UploadOptions, type UploadResult } from '../upload';

const G = GROUP.FS;
const FILE_OFFSET_NOT_VALID = 11;

export async function uploadFile(
  client: SmpClient,
  name: string,
  data: Uint8Array,
  options: UploadOptions,
  control: UploadControl = {},
): Promise<UploadResult> {
  return pipelinedUpload(
    client,
    data,
    {
      group: G,
      command: 0,
      what: `upload of ${name}`,
      firstFields: { len: data.length },
      everyFields: { name },
      offsetFromError: (err, off) => offsetAfterError(client, name, err, off),
    },
    options,
    control,
  );
}

/**
 * Zephyr answers a chunk at the wrong offset with FILE_OFFSET_NOT_VALID and the offset it expects as `len`. A v1
 * reply loses that detail (the error becomes a bare `rc`), so past the first chunk the file's size on the device
 * — which is where its upload continues — is asked instead.
 */
async function offsetAfterError(client: SmpClient, name: string, err: SmpError | SmpGroupError, off: number): Promise<number | undefined> {
  if (typeof err.body.len === 'number' && (err instanceof SmpError || err.rc === FILE_OFFSET_NOT_VALID)) return err.body.len;
  if (err instanceof SmpGroupError || off === 0) return undefined;
  try {
    return (await fileStatus(client, name)).len;
  } catch {
    return undefined;
  }
}

export interface DownloadOptions {
  /** Refuse files larger than this (a device could claim anything). */
  maxBytes?: number;
}

export async function downloadFile(
  client: SmpClient,
  name: string,
  options: DownloadOptions = {},
  control: UploadControl = {},
): Promise<Uint8Array> {
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  const first = await client.read(G, 0, { off: 0, name });
  const total = uintField(first, 'len', `download of ${name}`);
  if (total > maxBytes) {
    throw new FieldlineError('INVALID_ARGUMENT', `${name} is ${total} bytes, more than the ${maxBytes} allowed`);
  }
  const out = new Uint8Array(total);
  let off = 0;
  let body = first;
  for (;;) {
    if (control.signal?.aborted) throw new FieldlineError('CANCELLED', `download of ${name} cancelled`);
    const at = uintField(body, 'off', `download of ${name}`);
    const data = bytesField(body, 'data', `download of ${name}`);
    if (at !== off || off + data.length > total) {
      throw new FieldlineError('SMP_MALFORMED', `download of ${name}: device sent ${data.length} bytes at ${at}, expected offset ${off} of ${total}`);
    }
    out.set(data, off);
    off += data.length;
    control.onProgress?.({ acked: off, total, sent: off });
    if (off >= total) return out;
    if (data.length === 0) throw new FieldlineError('SMP_MALFORMED', `download of ${name}: device sent no data at ${off} of ${total}`);
    body = await client.read(G, 0, { off, name });
  }
}

export async function fileStatus(client: SmpClient, name: string): Promise<{ len: number }> {
  return { len: uintField(await client.read(G, 1, { name }), 'len', `status of ${name}`) };
}

export interface FileHash {
  type: string;
  off: number;
  len: number;
  /** Hex for byte outputs (sha256); crc32 is a number on Zephyr but some libraries send bytes. */
  output: string | number;
}

/** Hashing a large file takes the device a while: the default timeout is long (30 s). */
export async function hashFile(
  client: SmpClient,
  name: string,
  options: { type?: string; off?: number; len?: number; timeoutMs?: number } = {},
): Promise<FileHash> {
  const what = `hash of ${name}`;
  const body = await client.read(G, 2, { name, type: options.type, off: options.off, len: options.len }, { timeoutMs: options.timeoutMs ?? 30_000 });
  const output = body.output;
  let value: string | number;
  if (typeof output === 'number') value = output;
  else value = Buffer.from(bytesField(body, 'output', what)).toString('hex');
  return { type: textField(body, 'type', what), off: optionalUint(body, 'off', what) ?? 0, len: uintField(body, 'len', what), output: value };
}

export async function supportedHashTypes(client: SmpClient): Promise<Array<{ name: string; format: number; size: number }>> {
  const types = mapField(await client.read(G, 3), 'types', 'supported hash types');
  return Object.entries(types).map(([name, v]) => {
    const t = mapValue(v, `hash type ${name}`);
    return { name, format: uintField(t, 'format', name), size: uintField(t, 'size', name) };
  });
}

/** Closes file handles an interrupted transfer left open on the device. */
export async function closeFiles(client: SmpClient): Promise<void> {
  await client.write(G, 4);
}
