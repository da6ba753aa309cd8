/**
 * The file browser. SMP's FS group reads and writes a file by name but cannot list a directory, so a listing goes
 * through Zephyr's file-system shell (`fs ls PATH` over the shell group) where the build has it; where it has not,
 * the answer says so and files are still read by a name typed in. Downloads are bounded (they travel to the browser
 * whole); an upload is checked by the size the device then reports for the file.
 */
import { createHash } from 'node:crypto';
import { CONSOLE_LIMITS, type ConsoleFile, type ConsoleHash, type ConsoleListing } from '../../contract/console';
import { LIMITS } from '../../contract/bounds';
import type { GatewaySession } from '../../device/session';
import { FieldlineError } from '../../errors';
import { GROUP } from '../../smp/error-codes';
import { downloadFile, fileStatus, hashFile, uploadFile } from '../../smp/groups/fs';
import { shellExec } from '../../smp/groups/shell';
import { SmpError } from '../../smp/smp-error';
import { deviceName, deviceText } from './text';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Zephyr's shell answers an unknown root command with "fs: command not found" (SHELL_MSG_CMD_NOT_FOUND). */
const NO_FS_COMMAND = /^fs: command not found/m;

export async function listDirectory(session: GatewaySession, path: string): Promise<ConsoleListing> {
  let result;
  try {
    // Listing only reads: it may be sent again after a lost frame.
    result = await shellExec(session.client, ['fs', 'ls', path], { readOnly: true });
  } catch (err) {
    if (err instanceof SmpError && err.group === GROUP.SHELL && err.rcName === 'ENOTSUP') {
      return { path, state: 'no-shell', problem: 'the device has no shell group (SMP group 9)', entries: [] };
    }
    throw err;
  }
  const { text } = deviceText(result.output, CONSOLE_LIMITS.outputChars);
  if (NO_FS_COMMAND.test(text)) return { path, state: 'no-shell', problem: 'the device has no file-system shell (`fs` is not a command)', entries: [] };
  if (result.ret !== 0) return { path, state: 'failed', problem: deviceText(text.trim(), LIMITS.text).text || `fs ls ended with ${result.ret}`, entries: [] };
  const entries = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .slice(0, CONSOLE_LIMITS.entries)
    .map((line) => {
      const dir = line.endsWith('/');
      return { name: deviceName(dir ? line.slice(0, -1) : line, LIMITS.fileName), dir };
    });
  return { path, state: 'listed', entries };
}

export async function downloadBounded(session: GatewaySession, path: string): Promise<ConsoleFile & { base64: string }> {
  // The size first: a file too large for the console is refused before any of it is read.
  const { len } = await fileStatus(session.client, path);
  if (len > CONSOLE_LIMITS.downloadBytes) {
    throw new FieldlineError('INVALID_ARGUMENT', `${path} is ${len} bytes; the console downloads at most ${CONSOLE_LIMITS.downloadBytes} (use fieldline smp fs download)`);
  }
  const data = await downloadFile(session.client, path, { maxBytes: CONSOLE_LIMITS.downloadBytes });
  return { path, size: data.length, sha256: sha256(data), base64: Buffer.from(data).toString('base64') };
}

export function decodeUpload(base64: string): Uint8Array {
  const data = Uint8Array.from(Buffer.from(base64, 'base64'));
  if (data.length > CONSOLE_LIMITS.uploadBytes) throw new FieldlineError('INVALID_ARGUMENT', `the console uploads at most ${CONSOLE_LIMITS.uploadBytes} bytes`);
  return data;
}

export async function uploadChecked(session: GatewaySession, path: string, data: Uint8Array): Promise<ConsoleFile> {
  await uploadFile(session.client, path, data, await session.buffers());
  const { len } = await fileStatus(session.client, path);
  if (len !== data.length) throw new FieldlineError('SMP_MALFORMED', `after the upload the device reports ${path} as ${len} bytes, not ${data.length}`);
  return { path, size: data.length, sha256: sha256(data) };
}

export async function hashOnDevice(session: GatewaySession, path: string, type?: 'sha256' | 'crc32'): Promise<ConsoleHash> {
  const h = await hashFile(session.client, path, type ? { type } : {});
  const output = typeof h.output === 'number' ? h.output.toString(16).padStart(8, '0') : h.output;
  return { path, type: deviceName(h.type, 32), len: h.len, output: deviceName(output, 256) };
}
