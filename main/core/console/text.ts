/**
 * Device output shown as text. A gateway is untrusted: what it prints may be huge, carry terminal escapes that
 * repaint a technician's view, or control characters that spoof a line. It is cut to a bound, escapes are dropped
 * and other control characters become U+FFFD; newlines and tabs stay, so a listing still reads as one.
 */

// ANSI CSI (ESC [ … final byte) and OSC (ESC ] … BEL/ST) sequences, as a VT100 shell would colour its prompt.
// eslint-disable-next-line no-control-regex
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

export interface BoundedText {
  text: string;
  truncated: boolean;
}

export function deviceText(raw: string, max: number): BoundedText {
  // Cut before cleaning too, so a hostile megabyte is not scanned by the regular expressions first.
  const head = raw.length > max * 2 ? raw.slice(0, max * 2) : raw;
  const clean = head.replace(/\r\n?/g, '\n').replace(ESCAPES, '').replace(CONTROL, '\ufffd');
  const truncated = raw.length > head.length || clean.length > max;
  return { text: clean.length > max ? clean.slice(0, max) : clean, truncated };
}

/** One name (a file, a counter): no newline either, and at most `max` characters. */
export function deviceName(raw: string, max: number): string {
  return deviceText(raw, max).text.replace(/[\n\t]/g, '\ufffd');
}
