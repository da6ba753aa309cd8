/**
 * One section of the reliability report (`npm run reliability` → docs/reliability.md): a probe that ran for real
 * against this code (virtual gateways, a registry on loopback, a station server), with what it found as a table.
 * `failures` counts rows whose outcome is not what the product promises; the report says how many, and the
 * command exits 1 when any section has one.
 */
export interface ReliabilitySection {
  title: string;
  /** What was probed and how, in a paragraph (Markdown). */
  summary: string;
  columns: string[];
  rows: string[][];
  failures: number;
  /** Wall time the section took, filled in by the runner. */
  seconds?: number;
}

export interface ReliabilityProbe {
  /** Short name for `--only` (e.g. `registry`). */
  name: string;
  run(options: { quick: boolean; log: (line: string) => void }): Promise<ReliabilitySection>;
}

/** A Markdown table cell: no pipes or newlines from the values inside. */
export function cell(value: unknown): string {
  return String(value).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').slice(0, 300);
}
