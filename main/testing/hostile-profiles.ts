/**
 * Profiles written to hurt the loader, as issue #11 found them: each is what an untrusted WebSocket client or a
 * careless author could hand the station. Shared by the loader, app, CLI and station tests and by the reliability
 * report, so every layer is checked against the same inputs.
 */

const HEAD = 'apiVersion: fieldline/v1\nname: hostile\nversion: 1.0.0\n';

export const HOSTILE = {
  /** A firmware image that never ends: hashing it by reading it whole grew the station to 1.5 GB in 2 s. */
  devZeroImage: (): string => `${HEAD}firmware:\n  minVersion: 1.0.0\n  image: /dev/zero\n  sha256: "${'0'.repeat(64)}"\n`,

  /** 70,000 settings in 957 KiB, under the 1 MiB cap: yaml's duplicate-key check made this 77 s of one CPU. */
  manyKeys: (count = 70_000): string => {
    const lines = [HEAD, 'settings:\n'];
    for (let i = 0; i < count; i++) lines.push(`  key${String(i).padStart(5, '0')}: 1\n`);
    return lines.join('');
  },

  /** Nine levels of nine aliases: 387 million strings once expanded, 600 bytes on disk. */
  billionLaughs: (): string => {
    let text = `${HEAD}description: &a0 lol\n`;
    for (let level = 1; level <= 9; level++) text += `x${level}: &a${level} [${Array.from({ length: 9 }, () => `*a${level - 1}`).join(', ')}]\n`;
    return text;
  },

  /** More aliases than yaml's expansion limit (100), each harmless on its own. */
  manyAliases: (count = 150): string => `${HEAD}description: &d text\nx:\n${'  - *d\n'.repeat(count)}`,

  /** An identify pattern of 100,000 groups: V8 refuses it with a message that quotes all of it. */
  hugeRegex: (): string => `${HEAD}identify:\n  pattern: "${'(a)'.repeat(100_000)}"\n`,

  /** Exponential backtracking on its own default value: `(a+)+$` against "aaa…a!". */
  catastrophicRegex: (): string => `${HEAD}variables:\n  v:\n    pattern: "(a+)+$"\n    default: "${'a'.repeat(40)}!"\n`,

  /** Backtracking the nesting check cannot see: an alternation of equal branches under one star. */
  backtrackingAlternation: (): string => `${HEAD}variables:\n  v:\n    pattern: "(a|a)*b"\n    default: "${'a'.repeat(40)}"\n`,

  /** 200,000 nested flow sequences: yaml's recursive composer runs out of stack. */
  deepNesting: (levels = 200_000): string => `${HEAD}description: ${'['.repeat(levels)}${']'.repeat(levels)}\n`,

  /** Just over the 1 MiB cap, in a comment. */
  oversized: (): string => `${HEAD}# ${'x'.repeat(1024 * 1024)}\n`,
} as const;

export type HostileProfile = keyof typeof HOSTILE;
