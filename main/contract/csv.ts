/**
 * CSV as RFC 4180 writes it — CRLF between records, a field quoted when it holds a comma, a quote, CR or LF, a quote
 * inside doubled — and safe to open in a spreadsheet: a cell that starts with = + - @ (or a tab or CR, which some
 * spreadsheets skip before reading a formula) is prefixed with an apostrophe, so a serial or an error message a device
 * or a profile supplied can never run as a formula (OWASP, "CSV injection").
 */

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One field, guarded and quoted as needed. */
export function csvField(value: string | number | undefined | null): string {
  let text = value === undefined || value === null ? '' : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A header line and one line per row, each ended by CRLF (RFC 4180 §2.1–2.2). */
export function toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | undefined | null>>): string {
  return [header, ...rows].map((cells) => `${cells.map(csvField).join(',')}\r\n`).join('');
}
