/**
 * The fixture positions table of Settings, as data: one row per location the station has a label for, plus one per
 * location a gateway is plugged into right now (the line's slots) that has none yet — so labelling a new hub is
 * plugging a board into each port and typing what the fixture says. Saving drops empty labels.
 */
import { FIXTURE_LIMITS, type FixtureLabels } from '../../../../main/contract/fixtures';

export interface FixtureRow {
  readonly location: string;
  readonly label: string;
  /** A gateway is in this position now (the row can be checked against the board in front of you). */
  readonly present: boolean;
}

const collator = new Intl.Collator(undefined, { numeric: true });

export function fixtureRows(labels: FixtureLabels, present: Iterable<string>): FixtureRow[] {
  const here = new Set(present);
  const locations = new Set([...Object.keys(labels), ...here]);
  return [...locations].sort((a, b) => collator.compare(a, b)).map((location) => ({ location, label: labels[location] ?? '', present: here.has(location) }));
}

/** The mapping to save, or why it cannot be saved (in the words the form shows). */
export function labelsOf(rows: readonly FixtureRow[]): { labels: FixtureLabels } | { problem: string } {
  const labels: Record<string, string> = {};
  const seen = new Map<string, string>();
  for (const row of rows) {
    const label = row.label.trim();
    if (label === '') continue;
    if (label.length > FIXTURE_LIMITS.label) return { problem: `“${label}” is longer than ${FIXTURE_LIMITS.label} characters` };
    const other = seen.get(label);
    if (other !== undefined) return { problem: `“${label}” names two positions (${other} and ${row.location})` };
    seen.set(label, row.location);
    labels[row.location] = label;
  }
  return { labels };
}
