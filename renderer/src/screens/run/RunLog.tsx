/**
 * The run's live log. It follows new lines while scrolled to the bottom and stays put when the technician scrolls
 * up to read. Not a live region: a screen reader would otherwise read every line of an upload.
 */
import { memo, useEffect, useRef, type JSX } from 'react';
import type { RunLogLine } from '../../../../main/contract/api';
import { formatTime } from '../../components/format';
import { useRuns } from '../../state/runs';

const EMPTY: readonly RunLogLine[] = [];

const Line = memo(function Line({ line }: { line: RunLogLine }): JSX.Element {
  return (
    <li className={`log-line level-${line.level}`}>
      <span className="log-time">{formatTime(line.at)}</span>
      <span className="log-level">{line.level.toUpperCase()}</span>
      <span className="log-message">{line.message}</span>
    </li>
  );
});

export function RunLog({ runId }: { runId: string }): JSX.Element {
  const lines = useRuns((s) => s.logs[runId] ?? EMPTY);
  const ref = useRef<HTMLOListElement>(null);
  const follow = useRef(true);

  useEffect(() => {
    const list = ref.current;
    if (list && follow.current) list.scrollTop = list.scrollHeight;
  }, [lines]);

  return (
    <section className="panel" aria-labelledby="log-title">
      <h2 id="log-title">Log</h2>
      <ol
        ref={ref}
        className="log"
        data-testid="run-log"
        tabIndex={0}
        aria-labelledby="log-title"
        onScroll={(event) => {
          const el = event.currentTarget;
          follow.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {lines.length === 0 && <li className="empty">No log lines yet.</li>}
        {lines.map((line, i) => (
          <Line key={`${i}-${line.at}`} line={line} />
        ))}
      </ol>
    </section>
  );
}
