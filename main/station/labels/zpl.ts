/**
 * The label of a passing run, as ZPL II text for a Zebra-compatible printer: serial (text and Code 128), the
 * certificate's SHA-256 fingerprint (shortened on the label, whole in the QR code), profile name@version, date,
 * and a QR code (^BQN, model 2, error correction M) holding {"serial","fp","run"} as compact JSON.
 *
 * Every field is written with ^FH (hex escapes, `_XX`), and every byte that is not printable ASCII, and `^`, `~`
 * `_` and `\` themselves, goes out as an escape — so no value from a device can end the field, start a command or
 * inject a `~` control command. The text is UTF-8 (^CI28), so the result is plain ASCII.
 */
import { FieldlineError } from '../../errors';
import type { RunRecord } from '../../contract/run-record';

export interface LabelOptions {
  /** Printable width in dots (default 4 inches at the given dpi). */
  widthDots?: number;
  /** Label length in dots (default 2 inches at the given dpi). */
  heightDots?: number;
  /** Print head resolution (default 203; 300 and 600 are common). */
  dpi?: number;
}

/** What the QR code carries. */
export interface LabelQrData {
  serial: string;
  /** Certificate SHA-256 fingerprint, lowercase hex (absent when the run issued no certificate). */
  fp?: string;
  run: string;
}

/** `text` as ^FH field data: `^`, `~`, `_`, `\`, control characters and non-ASCII (as UTF-8 bytes) become `_XX`. */
export function zplEscape(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code >= 0x20 && code <= 0x7e && !'^~_\\'.includes(ch)) out += ch;
    else for (const byte of Buffer.from(ch, 'utf8')) out += '_' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** The inverse of zplEscape (for tests and for reading labels back). */
export function zplUnescape(field: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < field.length; i += 1) {
    if (field[i] === '_' && /^[0-9A-Fa-f]{2}$/.test(field.slice(i + 1, i + 3))) {
      bytes.push(parseInt(field.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(field[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * Code 128 field data for `text` in subset B, or undefined when `text` holds anything Code 128 cannot encode
 * (non-ASCII, control characters). `^`, `>` and `~` are the invocation codes `><`, `>0`, `>=` (ZPL II guide, ^BC).
 */
function code128Data(text: string): string | undefined {
  if (!/^[\x20-\x7e]+$/.test(text)) return undefined;
  const invoked = text.replace(/[>^~]/g, (c) => ({ '>': '>0', '^': '><', '~': '>=' })[c]!);
  return '>:' + zplEscape(invoked);
}

/** Short form of a fingerprint for the eye: first and last 8 hex digits. */
export function shortFingerprint(fp: string): string {
  return fp.length > 20 ? `${fp.slice(0, 8)}…${fp.slice(-8)}` : fp;
}

/** QR version (model 2, level M, byte mode) needed for `bytes`, as modules per side — to size the symbol. */
function qrModules(bytes: number): number {
  const capacityM = [14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251, 287, 331, 362, 412];
  const version = capacityM.findIndex((c) => bytes <= c) + 1 || 20;
  return 17 + 4 * version;
}

function positiveInt(name: string, value: number | undefined, fallback: number, max: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v <= 0 || v > max) throw new FieldlineError('INVALID_ARGUMENT', `${name} must be a whole number from 1 to ${max}, not ${v}`);
  return v;
}

export function labelQrData(record: RunRecord): LabelQrData {
  const fp = record.certificate?.fingerprintSha256;
  return fp ? { serial: record.device.serial, fp, run: record.id } : { serial: record.device.serial, run: record.id };
}

/** The ZPL II label of a passing run. Throws LABEL_NOT_PASSED for any other outcome. */
export function zplLabel(record: RunRecord, options: LabelOptions = {}): string {
  if (record.outcome !== 'passed') {
    throw new FieldlineError('LABEL_NOT_PASSED', `run ${record.id} of ${record.device.serial} is ${record.outcome}`, { run: record.id, outcome: record.outcome });
  }
  const dpi = positiveInt('dpi', options.dpi, 203, 1200);
  const width = positiveInt('widthDots', options.widthDots, Math.round(4 * dpi), 32000);
  const height = positiveInt('heightDots', options.heightDots, Math.round(2 * dpi), 32000);
  const dot = (mm: number): number => Math.max(1, Math.round((mm * dpi) / 25.4));
  const margin = dot(2.5);

  const qrJson = JSON.stringify(labelQrData(record));
  const modules = qrModules(Buffer.byteLength(qrJson, 'utf8') + 2);
  const magnification = Math.max(1, Math.min(10, Math.floor(Math.min(height - 2 * margin, 0.45 * width) / modules)));
  const qrSide = modules * magnification;
  const qrX = Math.max(margin, width - margin - qrSide);

  const big = dot(4);
  const small = dot(2.8);
  const fp = record.certificate?.fingerprintSha256;
  const date = (record.endedAt || record.startedAt).slice(0, 10);
  const lines: string[] = ['^XA', '^CI28', `^PW${width}`, `^LL${height}`, '^LH0,0'];
  const text = (y: number, size: number, value: string): void => {
    lines.push(`^FO${margin},${y}^A0N,${size},${size}^FH^FD${zplEscape(value)}^FS`);
  };
  let y = margin;
  text(y, big, `SN ${record.device.serial}`);
  y += big + dot(1.5);
  const barcode = code128Data(record.device.serial);
  if (barcode !== undefined) {
    const barHeight = dot(8);
    lines.push(`^FO${margin},${y}^BY${Math.max(1, Math.round(dpi / 100))}^BCN,${barHeight},N,N,N^FH^FD${barcode}^FS`);
    y += barHeight + dot(2);
  }
  text(y, small, fp ? `Cert SHA-256 ${shortFingerprint(fp)}` : 'No certificate');
  y += small + dot(1);
  text(y, small, `${record.profile.name}@${record.profile.version}`);
  y += small + dot(1);
  text(y, small, `${date}  ${record.station.name}`);
  // ^BQN,2,m: model 2; the field data starts with the error correction level (M) and input mode (A, automatic).
  lines.push(`^FO${qrX},${margin}^BQN,2,${magnification}^FH^FDMA,${zplEscape(qrJson)}^FS`);
  lines.push('^XZ');
  return lines.join('\n') + '\n';
}
