/**
 * How commands report: JSON lines under --json (one object per line, machine-readable), readable text otherwise.
 * Progress (main/cli/progress-bar.ts) goes to stderr as a bar on a terminal, and as JSON lines under --json.
 */
import { stringifyCborJson, type CborValue } from '../smp/cbor';
import { createLogger, type Logger } from '../log';
import { describeError, isErrorCode, type ErrorCode } from '../contract/errors';
import { FieldlineError } from '../errors';

export interface OutputOptions {
  json?: boolean;
  verbose?: boolean;
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n');
}

export function printCborJson(value: CborValue): void {
  process.stdout.write(stringifyCborJson(value) + '\n');
}

export function print(options: OutputOptions, value: unknown, text: () => string): void {
  if (options.json) printJson(value);
  else process.stdout.write(text() + '\n');
}

/** A logger that writes to stderr when --verbose is given, so stdout stays clean for results. */
export function cliLogger(options: OutputOptions, scope = 'fieldline'): Logger {
  if (!options.verbose) return createLogger(scope, () => {}, 'error');
  return createLogger(scope, (r) => {
    process.stderr.write(`${r.level} ${r.scope}: ${r.message}${r.fields ? ' ' + JSON.stringify(r.fields) : ''}\n`);
  });
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}

interface Problem {
  path?: string;
  line?: number;
  column?: number;
  message: string;
}

/** Problems an error carries (every issue of a profile, for one), in a shape that prints. */
function problemsOf(err: FieldlineError): Problem[] {
  const problems = err.details.problems;
  return Array.isArray(problems) ? (problems.filter((p) => p && typeof p === 'object' && typeof (p as Problem).message === 'string') as Problem[]) : [];
}

/**
 * The codes that mean the command could not start or could not use its surroundings — a usage error, a bad file,
 * the station's CA, the port or Bluetooth adapter, the local store — where nothing about a device was decided. The
 * README promises 2 for these, and a line script reads 1 as "the device failed (and was rolled back)".
 */
const ENVIRONMENT_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'USAGE',
  'INVALID_ARGUMENT',
  'FILE_NOT_FOUND',
  'FILE_NOT_REGULAR',
  'FILE_UNREADABLE',
  'FILE_TOO_LARGE',
  'PROFILE_TOO_COMPLEX',
  'PROFILE_INVALID',
  'PROFILE_NOT_FOUND',
  'PROFILE_SIGNATURE',
  'PROFILE_UNRELEASED',
  'RELEASE_REFUSED',
  'TRUST_KEY_INVALID',
  'FIRMWARE_KEY_INVALID',
  'TEMPLATE_MISSING_VARIABLE',
  'TEMPLATE_VARIABLE_INVALID',
  'RUN_NOT_FOUND',
  'RUN_ID_AMBIGUOUS',
  'UDEV_MISSING',
  'SOCAT_MISSING',
  'CA_NOT_INITIALIZED',
  'CA_EXISTS',
  'CA_PASSPHRASE',
  'CA_PASSPHRASE_REQUIRED',
  'CA_PASSPHRASE_WEAK',
  'CA_FILES_INVALID',
  'CA_IMPORT_INVALID',
  'CA_LOCKED',
  'PKCS11_UNAVAILABLE',
  'PKCS11_TOKEN',
  'PKCS11_PIN',
  'PKCS11_PIN_REQUIRED',
  'PORT_PERMISSION_DENIED',
  'PORT_BUSY',
  'PORT_NOT_FOUND',
  'PORT_NOT_SERIAL',
  'PORT_OPEN_FAILED',
  'BLE_NO_ADAPTER',
  'BLE_ADAPTER_OFF',
  'BLE_PERMISSION',
  'BLE_VIRTUAL_UNREACHABLE',
  'BLE_SIM_SOCKET_IN_USE',
  'REGISTRY_NOT_CONFIGURED',
  'STATION_KEY_UNAVAILABLE',
  'PERMISSION_DENIED',
  'OPERATOR_SIGN_IN_REQUIRED',
  'OPERATOR_SIGN_IN_FAILED',
  'OPERATOR_LOCKED',
  'OPERATOR_DISABLED',
  'OPERATOR_EXISTS',
  'OPERATOR_NOT_FOUND',
]);

/**
 * The one exit-code rule for every command (README, "Exit codes"): 0 success; 1 the device or the run failed, or a
 * result the command reports as a failure; 2 usage or environment — the codes above and every STORE_* code; 70 a
 * bug (a thrown error that is not a FieldlineError).
 */
export function exitCodeFor(code: string | undefined): 1 | 2 {
  if (code === undefined) return 1;
  return code.startsWith('STORE_') || (isErrorCode(code) && ENVIRONMENT_CODES.has(code)) ? 2 : 1;
}

/** Prints an expected failure in the technician's words (and as JSON under --json); answers the exit code. */
export function reportError(err: unknown, json: boolean): number {
  if (err instanceof FieldlineError) {
    // An error may carry a fix of its own, more precise than its code's (a usage error names its command's --help).
    const hint = typeof err.details.hint === 'string' ? err.details.hint : undefined;
    const described = { ...describeError(err.code, err.message), ...(hint ? { hint } : {}) };
    const problems = problemsOf(err);
    if (json) {
      process.stdout.write(JSON.stringify({ error: problems.length ? { ...described, problems } : described }) + '\n');
    } else {
      const lines = problems.map((p) => `  ${p.line !== undefined ? `line ${p.line}${p.column !== undefined ? `:${p.column}` : ''} ` : ''}${p.path ? `${p.path}: ` : ''}${p.message}`);
      process.stderr.write(`fieldline: ${described.message}\n${lines.length ? lines.join('\n') + '\n' : ''}${described.hint ? `  fix: ${described.hint}\n` : ''}`);
    }
    return exitCodeFor(err.code);
  }
  process.stderr.write(`fieldline: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
  return 70;
}
