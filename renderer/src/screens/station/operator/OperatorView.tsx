/**
 * The operator view of the line (issue #17): full screen, for a monitor at arm's length or across the bench — one
 * tile per fixture position with one big word (PASS, FAIL, RUNNING…), the run's progress, the step that failed,
 * and Stop / Start / Retry for that slot; above them the session's units per hour and yield. With the sound setting
 * on, a tone for each verdict. Each tile selects its own slot and run, so a progress event redraws one tile.
 */
import { memo, useEffect, useMemo, type JSX } from 'react';
import type { SlotInfo } from '../../../../../main/contract/api';
import { slotAction } from '../../../effects/line';
import { lineStore, useLine, useSlot } from '../../../state/line';
import { runFraction } from '../../../state/run-progress';
import { useRun } from '../../../state/runs';
import { useSettings } from '../../../state/settings';
import { allows, useSession } from '../../../state/session';
import { formatPerHour, formatShare } from '../format';
import { createTonePlayer } from './sound';
import { gridColumns, operatorTile, tileOrder, toneFor, type TileAction } from './tiles';
import './operator.css';

const NO_LABELS = {};
const ACTION_WORD: Record<TileAction, string> = { stop: 'Stop', start: 'Start', retry: 'Retry' };

const Tile = memo(function Tile({ port, mayAct }: { port: string; mayAct: boolean }): JSX.Element | null {
  const slot = useSlot(port);
  const labels = useSettings((s) => s.settings?.fixtureLabels ?? NO_LABELS);
  const run = useRun(slot?.runId);
  if (!slot) return null;
  const tile = operatorTile(slot, labels, run ? runFraction(run) : undefined);
  const percent = tile.progress === undefined ? undefined : Math.round(tile.progress * 100);
  return (
    <li
      className={`operator-tile verdict-${tile.verdict.toLowerCase()}`}
      data-testid="operator-tile"
      data-verdict={tile.verdict}
      data-label={tile.labelled ? tile.name : ''}
      data-port={port}
      data-serial={tile.serial ?? ''}
    >
      <span className="tile-name" data-testid="tile-name" title={tile.location ?? port}>
        {tile.name}
      </span>
      <span className="tile-verdict" data-testid="tile-verdict">
        {tile.verdict}
      </span>
      {tile.detail !== undefined && (
        <span className="tile-detail" data-testid="tile-detail">
          {tile.detail}
          {percent !== undefined ? ` · ${percent} %` : ''}
        </span>
      )}
      {percent !== undefined && <progress className="tile-progress" data-testid="tile-progress" max={100} value={percent} aria-label={`${tile.name} progress`} />}
      <span className="tile-foot">
        <span className="tile-serial">{tile.serial ?? ''}</span>
        {mayAct &&
          tile.actions.map((action) => (
            <button key={action} type="button" className="tile-action" data-testid={`tile-${action}`} onClick={() => void slotAction(port, action, tile.name)}>
              {ACTION_WORD[action]}
            </button>
          ))}
      </span>
    </li>
  );
});

const placesOf = (slots: Readonly<Record<string, SlotInfo>>): string =>
  Object.values(slots)
    .map((s) => `${s.port}\t${s.location ?? ''}`)
    .sort()
    .join('\n');

const parsePlaces = (key: string): Array<Pick<SlotInfo, 'port' | 'location'>> =>
  key === ''
    ? []
    : key.split('\n').map((line) => {
        const [port = '', location = ''] = line.split('\t');
        return location === '' ? { port } : { port, location };
      });

/** Plays a tone for each verdict while the view is open and the station's sound setting is on. */
function useVerdictTones(on: boolean): void {
  useEffect(() => {
    if (!on) return undefined;
    const player = createTonePlayer();
    const off = lineStore.subscribe((next, before) => {
      if (next.slots === before.slots) return;
      for (const [port, slot] of Object.entries(next.slots)) {
        const tone = toneFor(before.slots[port], slot);
        if (tone) player.play(tone);
      }
    });
    return () => {
      off();
      player.close();
    };
  }, [on]);
}

function Figures(): JSX.Element {
  const session = useLine((s) => s.kpis?.session);
  return (
    <dl className="operator-figures">
      <div>
        <dt>Units / hour</dt>
        <dd data-testid="operator-uph">{formatPerHour(session?.unitsPerHour)}</dd>
      </div>
      <div>
        <dt>Yield</dt>
        <dd data-testid="operator-yield">{formatShare(session?.firstPassYield)}</dd>
      </div>
      <div>
        <dt>Passed</dt>
        <dd data-testid="operator-passed">{session?.passed ?? 0}</dd>
      </div>
      <div>
        <dt>Failed</dt>
        <dd data-testid="operator-failed">{session?.failed ?? 0}</dd>
      </div>
    </dl>
  );
}

export function OperatorView(): JSX.Element {
  // The slots' ports and locations as one string: this component redraws when a slot comes or goes, not on a state change.
  const placesKey = useLine((s) => placesOf(s.slots));
  const running = useLine((s) => Boolean(s.status?.running));
  const profile = useLine((s) => s.status?.profile);
  const labels = useSettings((s) => s.settings?.fixtureLabels ?? NO_LABELS);
  const sound = useSettings((s) => s.settings?.operatorSound ?? false);
  const mayAct = useSession((s) => allows(s.session, 'provision'));
  const order = useMemo(() => tileOrder(parsePlaces(placesKey), labels), [placesKey, labels]);
  useVerdictTones(sound);
  const columns = gridColumns(order.length);
  const rows = Math.max(1, Math.ceil(order.length / columns));
  return (
    <div className="operator-view" data-testid="operator-view" data-running={running}>
      <header className="operator-head">
        <h1 id="screen-title" tabIndex={-1} className="operator-title">
          {running ? 'Line running' : 'Line stopped'}
          {profile ? <span className="operator-profile"> · {profile.name}</span> : null}
        </h1>
        <Figures />
        <span className="operator-sound" data-testid="operator-sound" data-on={sound}>
          {sound ? 'Sound on' : 'Sound off'}
        </span>
        <button type="button" className="operator-fullscreen" onClick={() => void document.documentElement.requestFullscreen?.().catch(() => {})}>
          Full screen
        </button>
        <a className="operator-exit" href="#/station" data-testid="operator-exit">
          Exit
        </a>
      </header>
      {order.length === 0 ? (
        <p className="operator-empty" data-testid="operator-empty">
          {running ? 'Plug a gateway into the fixture.' : 'The line is stopped: start it on the Station screen.'}
        </p>
      ) : (
        <ul className="operator-tiles" data-testid="operator-tiles" aria-label="Fixture positions" style={{ ['--columns' as string]: columns, ['--rows' as string]: rows }}>
          {order.map((port) => (
            <Tile key={port} port={port} mayAct={mayAct} />
          ))}
        </ul>
      )}
    </div>
  );
}
