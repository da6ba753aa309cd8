/**
 * Barcode scans at the station. A scanner in keyboard-wedge mode types the label's text followed by Enter (some
 * send CR LF, some only CR), so a scan arrives as one line of text from a keyboard, a terminal or a FIFO — input
 * nobody checked. One scan is either a batch variable, `NAME=value` (the name following the rule of the profile's
 * template variables, so a label can carry e.g. `site=MUC-3`), or otherwise a device serial number (which therefore
 * never contains "=").
 *
 * Refused with SCAN_INVALID: an empty scan, one longer than MAX_SCAN_LENGTH, and any control character left after
 * the line ending is trimmed — a GS1 group separator (0x1D), an escape sequence from a misconfigured scanner, or two
 * labels run together by a lost Enter would otherwise become a serial that never matches.
 */
import { FieldlineError } from '../errors';

export type ScanBinding = { kind: 'serial'; value: string } | { kind: 'variable'; name: string; value: string };

/** Longer than any serial or variable value a label carries; a longer scan is two labels or noise. */
export const MAX_SCAN_LENGTH = 128;

/** The profile schema's rule for variable names (main/profiles/schema.ts). */
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// C0 controls, DEL and C1 controls (a scanner set to an 8-bit code page can send those).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const invalid = (message: string): FieldlineError => new FieldlineError('SCAN_INVALID', message);

/** Shows a scan in an error message without letting its control characters reach a terminal. */
function shown(text: string): string {
  const cut = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return JSON.stringify(cut);
}

export function parseScan(raw: string): ScanBinding {
  if (typeof raw !== 'string') throw invalid('a scan must be text');
  // Bounded before any other work: the input may be a runaway stream without line breaks.
  if (raw.length > MAX_SCAN_LENGTH * 4) throw invalid(`the scan is ${raw.length} characters long (at most ${MAX_SCAN_LENGTH})`);
  const text = raw.trim();
  if (text.length === 0) throw invalid('the scan is empty');
  if (text.length > MAX_SCAN_LENGTH) throw invalid(`the scan is ${text.length} characters long (at most ${MAX_SCAN_LENGTH}): ${shown(text)}`);
  const control = CONTROL.exec(text);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).padStart(2, '0');
    throw invalid(`the scan contains the control character 0x${code} at position ${control.index + 1}: ${shown(text)}`);
  }
  const equals = text.indexOf('=');
  if (equals >= 0) {
    // Any "=" makes it an assignment: a serial never holds one, and a mistyped name must not pass as a serial.
    const name = text.slice(0, equals);
    const value = text.slice(equals + 1);
    if (!VARIABLE_NAME.test(name)) throw invalid(`${shown(name)} is not a variable name (letters, digits and _, not starting with a digit)`);
    if (value.trim().length === 0) throw invalid(`the variable ${name} is scanned without a value`);
    if (value.trim() !== value) throw invalid(`the value of ${name} starts or ends with a space: ${shown(value)}`);
    return { kind: 'variable', name, value };
  }
  // A serial has no blanks: a blank inside is most likely two labels, or a label with a caption, scanned as one.
  if (/\s/.test(text)) throw invalid(`a serial number has no spaces: ${shown(text)}`);
  return { kind: 'serial', value: text };
}

/** Serial numbers as labels print them and as devices report them may differ in case only (hex). */
export function sameSerial(a: string, b: string): boolean {
  return a.toUpperCase() === b.toUpperCase();
}
