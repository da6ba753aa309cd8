/**
 * Fixture positions (issue #17): the label each USB hub port carries on the fixture ("A1"), so the operator view
 * names its tiles as the fixture does; and whether that view sounds a tone on pass and fail. Kept per station.
 */
import { useMemo, useState, type JSX } from 'react';
import type { FixtureLabels } from '../../../../main/contract/fixtures';
import { saveFixtures } from '../../effects/settings';
import { useLine } from '../../state/line';
import { fixtureRows, labelsOf, type FixtureRow } from './fixture-rows';
import { SettingsSection } from './SettingsSection';

/** The locations of the gateways in the line's slots now, as one stable string (a selector must not make new arrays). */
const presentKey = (slots: Readonly<Record<string, { location?: string }>>): string =>
  Object.values(slots)
    .map((s) => s.location)
    .filter((l): l is string => l !== undefined)
    .sort()
    .join('\n');

export function FixtureLabelsForm({ initial, sound }: { initial: FixtureLabels; sound: boolean }): JSX.Element {
  const present = useLine((s) => presentKey(s.slots));
  const [typed, setTyped] = useState<Readonly<Record<string, string>>>(initial);
  const [soundOn, setSoundOn] = useState(sound);
  const rows: FixtureRow[] = useMemo(() => fixtureRows(typed, present === '' ? [] : present.split('\n')), [typed, present]);
  const result = labelsOf(rows);
  const problem = 'problem' in result ? result.problem : undefined;
  return (
    <SettingsSection
      form="fixtures"
      title="Fixture positions"
      saveLabel="Save positions"
      canSave={problem === undefined}
      onSave={() => 'labels' in result && void saveFixtures(result.labels, soundOn)}
    >
      <p className="field-help">
        The label on the fixture for each USB hub port, so the operator view shows “A1” instead of a port name. Plug a gateway into each position while the
        line runs and type what the fixture says; an empty label forgets the position.
      </p>
      {rows.length === 0 ? (
        <p className="empty" data-testid="fixture-rows-empty">
          No positions yet: start the line and plug a gateway into each position of the fixture.
        </p>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="fixture-rows">
            <thead>
              <tr>
                <th scope="col">Where it is plugged in</th>
                <th scope="col">Fixture label</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.location} data-testid="fixture-row" data-location={row.location} data-present={row.present}>
                  <th scope="row" className="mono">
                    {row.location}
                    {row.present ? <span className="muted"> · gateway in it now</span> : null}
                  </th>
                  <td>
                    <input
                      type="text"
                      data-testid="fixture-label"
                      aria-label={`Fixture label for ${row.location}`}
                      maxLength={32}
                      spellCheck={false}
                      autoComplete="off"
                      value={typed[row.location] ?? ''}
                      onChange={(e) => setTyped({ ...typed, [row.location]: e.target.value })}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {problem && (
        <p className="form-error" role="alert" data-testid="fixture-problem">
          {problem}
        </p>
      )}
      <div className="field field-check">
        <input id="settings-operator-sound" data-testid="settings-operator-sound" type="checkbox" checked={soundOn} onChange={(e) => setSoundOn(e.target.checked)} />
        <label htmlFor="settings-operator-sound">Operator view: a tone when a slot passes (two beeps) or fails (one long buzz)</label>
      </div>
    </SettingsSection>
  );
}
