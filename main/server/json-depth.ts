/**
 * How deep a JSON text nests, found without parsing it: JSON.parse of a 4 MiB message that is two million `[`
 * deep builds two million arrays — 200 MB the station holds until the parse is over, for a message that is refused
 * anyway. This scan allocates nothing and stops at the first level past the limit. JSON's strings are the only
 * place a bracket is not structure, and they are unambiguous: a `"` opens one, a `"` not escaped by `\` closes it.
 */
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPENERS = new Set([0x5b, 0x7b]); // [ {
const CLOSERS = new Set([0x5d, 0x7d]); // ] }

/** True when `text` opens more than `max` arrays or objects inside one another (checked before JSON.parse). */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i += 1;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (OPENERS.has(c)) {
      depth += 1;
      if (depth > max) return true;
    } else if (CLOSERS.has(c)) depth -= 1;
  }
  return false;
}
