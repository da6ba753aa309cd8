/**
 * A look at JSON text before it is parsed. The bundle check (main/shared/bundle-format.ts) re-encodes the parsed file with
 * JSON.stringify and hashes records with canonicalJson, both recursive: a file nested 20,000 levels deep would
 * overflow the stack there and surface as a 500. Counting brackets outside strings finds such a file in one pass
 * over its bytes, with no parse and no recursion.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPENERS = new Set([0x5b, 0x7b]); // [ {
const CLOSERS = new Set([0x5d, 0x7d]); // ] }

/** Whether `bytes`, read as JSON, nests arrays and objects more than `max` levels deep. Malformed text is the parser's business. */
export function nestsDeeperThan(bytes: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < bytes.length; i += 1) {
    const b = bytes[i]!;
    if (inString) {
      if (escaped) escaped = false;
      else if (b === BACKSLASH) escaped = true;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) {
      inString = true;
    } else if (OPENERS.has(b)) {
      depth += 1;
      if (depth > max) return true;
    } else if (CLOSERS.has(b)) {
      depth -= 1;
    }
  }
  return false;
}
