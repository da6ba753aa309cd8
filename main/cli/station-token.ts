/**
 * Where `fieldline station` takes the token browsers must present. A process's arguments are readable by every
 * user of the machine (`ps`, /proc/PID/cmdline), so the token is read from FIELDLINE_STATION_TOKEN, a file
 * (--token-file, owner-only as a secret should be) or stdin (--token-stdin). --token still works, for scripts that
 * use it, but warns. A token shorter than 16 characters is refused: it could be guessed even at the limited rate.
 */
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { FieldlineError } from '../errors';

export const MIN_STATION_TOKEN_LENGTH = 16;
/** Far more than any token; a bound on what --token-file and --token-stdin read. */
const MAX_TOKEN_BYTES = 4096;

export interface StationTokenOptions {
  token?: string;
  tokenFile?: string;
  tokenStdin?: boolean;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin) {
    const bytes = Buffer.from(chunk as Uint8Array);
    total += bytes.length;
    if (total > MAX_TOKEN_BYTES) throw new FieldlineError('INVALID_ARGUMENT', `stdin holds more than ${MAX_TOKEN_BYTES} bytes: not a station token`);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readTokenFile(file: string, warn: (line: string) => void): Promise<string> {
  let size: number;
  let mode: number;
  try {
    ({ size, mode } = statSync(file));
  } catch (err) {
    throw new FieldlineError('FILE_NOT_FOUND', `--token-file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (size > MAX_TOKEN_BYTES) {
    throw new FieldlineError('INVALID_ARGUMENT', `--token-file ${file} is larger than ${MAX_TOKEN_BYTES} bytes: not a station token`);
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) warn(`${file} can be read by other users (chmod 600 ${file})`);
  return readFile(file, 'utf8');
}

/** The token, or undefined when none is given (a loopback station needs none). */
export async function stationToken(opts: StationTokenOptions, env: NodeJS.ProcessEnv, warn: (line: string) => void): Promise<string | undefined> {
  const given = [opts.token !== undefined, opts.tokenFile !== undefined, opts.tokenStdin === true].filter(Boolean).length;
  if (given > 1) throw new FieldlineError('INVALID_ARGUMENT', 'give the token with one of --token, --token-file and --token-stdin');
  let raw: string | undefined;
  if (opts.token !== undefined) {
    warn('--token is visible to other users in the process list; prefer FIELDLINE_STATION_TOKEN, --token-file or --token-stdin');
    raw = opts.token;
  } else if (opts.tokenFile !== undefined) {
    raw = await readTokenFile(opts.tokenFile, warn);
  } else if (opts.tokenStdin) {
    raw = await readStdin();
  } else {
    raw = env['FIELDLINE_STATION_TOKEN'] || undefined;
  }
  if (raw === undefined) return undefined;
  const token = raw.trim();
  if (/\s/.test(token)) throw new FieldlineError('INVALID_ARGUMENT', 'the station token contains whitespace');
  if ([...token].length < MIN_STATION_TOKEN_LENGTH) {
    const example = 'e.g. openssl rand -base64 24';
    throw new FieldlineError('INVALID_ARGUMENT', `the station token must have at least ${MIN_STATION_TOKEN_LENGTH} characters (${example})`);
  }
  return token;
}
