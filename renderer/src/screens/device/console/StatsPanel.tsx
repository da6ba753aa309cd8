/** Statistics: each group the device names, with its counters. */
import type { JSX } from 'react';
import type { ConsoleClient } from './console-client';
import { useConsoleRead } from './useConsoleRead';

export function StatsPanel({ client, shown }: { client: ConsoleClient; shown: boolean }): JSX.Element {
  const { value: stats, busy, load } = useConsoleRead(client, shown, 'Read statistics', 'console:stats');
  return (
    <div data-testid="console-stats">
      <div className="actions">
        <button type="button" onClick={load} disabled={busy}>
          {busy ? 'Reading…' : 'Refresh'}
        </button>
      </div>
      {stats && stats.groups.length === 0 && <p className="empty">The device reports no statistics groups.</p>}
      {stats?.groups.map((group) => (
        <div className="table-wrap" key={group.name}>
          <table className="table" data-testid={`console-stats-${group.name}`}>
            <caption>{group.name}</caption>
            <thead>
              <tr>
                <th scope="col">Counter</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              {group.counters.map((c) => (
                <tr key={c.name}>
                  <th scope="row">{c.name}</th>
                  <td className="mono">{c.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
      {stats && stats.more > 0 && <p className="muted">{stats.more} more groups not shown.</p>}
    </div>
  );
}
