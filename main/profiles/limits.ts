/**
 * How much a profile may cost to load. A profile is data a station may receive from anyone who can reach its
 * WebSocket, so every dimension that makes loading slower or bigger has a cap, checked before the work it bounds:
 * the file's size before reading it, the YAML's node count before parsing it, keys, nesting and aliases before
 * converting it, a pattern's length before compiling it. Real profiles are far below each (the examples: 4 KiB,
 * under 100 keys, 5 levels, no aliases).
 */
export const LOAD_LIMITS = {
  /** Bytes of YAML; checked on the opened file's size, and never more is read even if it grows. */
  profileBytes: 1024 * 1024,
  /** Default cap of the firmware image, hashed in chunks; a profile option (ParseOptions.maxImageBytes). */
  imageBytes: 32 * 1024 * 1024,
  /**
   * Characters that can start a YAML node (`:` `-` `,` `?` `[` `{`), counted before parsing: every key or item
   * needs one, so this bounds the nodes yaml would build (about 450 bytes of memory each) at a few ms per MiB.
   * yaml parses some ten thousand nodes a second on a busy two-core machine before its code is warm, and the
   * worker stops a load at 1.5 s: 10,000 keeps the largest profile allowed well inside that. The examples have
   * about 100; a profile with 1,000 settings has about 3,000.
   */
  indicators: 10_000,
  /** Mapping keys in the whole document, counted on the parsed tree. */
  keys: 10_000,
  /** Nesting of maps and lists; the checks and zod recurse this deep. */
  depth: 64,
  /** Alias nodes (`*name`) in the document; yaml's own expansion limit (maxAliasCount) is the same number. */
  aliases: 100,
  /** Characters of one regular expression. */
  patternChars: 1024,
  /**
   * Time one pattern may take on one input while checking (a variable's default), and all of them together. A
   * pattern that backtracks without end takes seconds to ages; a sound one takes microseconds, so the limit has
   * room for a busy machine (it is wall-clock time) and a timeout is tried once more before it counts. The budget
   * leaves most of the worker's 1.5 s to the rest of the load.
   */
  patternMs: 200,
  patternBudgetMs: 600,
  /** Problems reported per profile: past this many, the rest are counted in one last problem. */
  problems: 1000,
  /** Characters of one problem's message and path (the contract allows 4000 and 1024). */
  messageChars: 1000,
  pathChars: 1024,
} as const;
