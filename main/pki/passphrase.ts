/**
 * Where the CLI gets the station CA passphrase: FIELDLINE_CA_PASSPHRASE (CI, factory stations), else a prompt on
 * the terminal without echo, else a clear error — never a silent hang waiting on a pipe. The passphrase is returned
 * to the caller and nowhere else: not logged, not put in an error message.
 */
import { FieldlineError } from '../errors';
import { MIN_PASSPHRASE_LENGTH } from './key-vault';

export const PASSPHRASE_ENV = 'FIELDLINE_CA_PASSPHRASE';
/** The user PIN of the PKCS#11 token holding the CA key (a token CA asks for it instead of the passphrase). */
export const PKCS11_PIN_ENV = 'FIELDLINE_PKCS11_PIN';
const ATTEMPTS = 3;

/** The part of a TTY ReadStream the prompt uses (process.stdin on a terminal; a fake in tests). */
export interface PassphraseInput {
  readonly isTTY?: boolean;
  readonly isRaw?: boolean;
  setRawMode?(mode: boolean): unknown;
  on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  removeListener(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

export interface PassphraseOutput {
  write(text: string): unknown;
}

export interface ReadPassphraseOptions {
  /** A new passphrase (init, import): asked twice, and at least MIN_PASSPHRASE_LENGTH characters. */
  confirm: boolean;
  env?: NodeJS.ProcessEnv;
  input?: PassphraseInput;
  /** Prompts go to stderr so that stdout stays clean for --json. */
  output?: PassphraseOutput;
}

const length = (text: string): number => [...text].length;

function tooShort(): FieldlineError {
  return new FieldlineError('CA_PASSPHRASE_WEAK', `the passphrase has fewer than ${MIN_PASSPHRASE_LENGTH} characters`);
}

/** Reads one line from a raw-mode terminal without echoing it. Ctrl-C / Ctrl-D on an empty line → CANCELLED. */
export function readHidden(prompt: string, input: PassphraseInput, output: PassphraseOutput): Promise<string> {
  output.write(prompt);
  return new Promise((resolve, reject) => {
    let text = '';
    let escape: 'none' | 'esc' | 'csi' = 'none';
    const wasRaw = input.isRaw ?? false;
    const finish = (err?: FieldlineError): void => {
      input.removeListener('data', onData);
      input.setRawMode?.(wasRaw);
      input.pause();
      output.write('\n');
      if (err) reject(err);
      else resolve(text);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const ch of typeof chunk === 'string' ? chunk : chunk.toString('utf8')) {
        // Arrow and function keys arrive as ESC [ … final-byte; they are not part of a passphrase.
        if (escape === 'esc') {
          escape = ch === '[' ? 'csi' : 'none';
          continue;
        }
        if (escape === 'csi') {
          if (ch >= '@' && ch <= '~') escape = 'none';
          continue;
        }
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003' || (ch === '\u0004' && text === '')) return finish(new FieldlineError('CANCELLED', 'passphrase entry cancelled'));
        if (ch === '\u007f' || ch === '\b') text = [...text].slice(0, -1).join('');
        else if (ch === '\u0015') text = '';
        else if (ch === '\u001b') escape = 'esc';
        else if (ch >= ' ') text += ch;
      }
    };
    input.on('data', onData);
    input.setRawMode?.(true);
    input.resume();
  });
}

/** The station CA passphrase, from the environment or the terminal. */
export async function readCaPassphrase(options: ReadPassphraseOptions): Promise<string> {
  const env = options.env ?? process.env;
  const fromEnv = env[PASSPHRASE_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (options.confirm && length(fromEnv) < MIN_PASSPHRASE_LENGTH) throw tooShort();
    return fromEnv;
  }
  const input: PassphraseInput = options.input ?? process.stdin;
  const output: PassphraseOutput = options.output ?? process.stderr;
  if (!input.isTTY || typeof input.setRawMode !== 'function') {
    throw new FieldlineError('CA_PASSPHRASE_REQUIRED', `${PASSPHRASE_ENV} is not set and standard input is not a terminal`);
  }
  if (!options.confirm) return readHidden('Station CA passphrase: ', input, output);

  for (let attempt = 1; ; attempt++) {
    const first = await readHidden(`New station CA passphrase (at least ${MIN_PASSPHRASE_LENGTH} characters): `, input, output);
    let problem: FieldlineError | undefined;
    if (length(first) < MIN_PASSPHRASE_LENGTH) problem = tooShort();
    else if ((await readHidden('Repeat the passphrase: ', input, output)) !== first) {
      problem = new FieldlineError('INVALID_ARGUMENT', 'the two passphrases differ');
    }
    if (!problem) return first;
    if (attempt >= ATTEMPTS) throw problem;
    output.write(`${problem.message}; try again.\n`);
  }
}

/** The token's user PIN, from FIELDLINE_PKCS11_PIN or the terminal (no echo); the token itself judges it. */
export async function readPkcs11Pin(options: Omit<ReadPassphraseOptions, 'confirm'> = {}): Promise<string> {
  const fromEnv = (options.env ?? process.env)[PKCS11_PIN_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const input: PassphraseInput = options.input ?? process.stdin;
  if (!input.isTTY || typeof input.setRawMode !== 'function') {
    throw new FieldlineError('PKCS11_PIN_REQUIRED', `${PKCS11_PIN_ENV} is not set and standard input is not a terminal`);
  }
  return readHidden('PKCS#11 token user PIN: ', input, options.output ?? process.stderr);
}
