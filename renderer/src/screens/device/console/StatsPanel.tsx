/** Statistics: each group the device names, with its counters. */
import { useCallback, useState, type JSX } from 'react';
import type { ConsoleStats } from '../../../../../main/contract/api';
import type { ConsoleClient } from './console-client';
import { useFirstShow } from './useFirstShow';

export function StatsPanel({ client, shown }: { client: ConsoleClient; shown: boolean }): JSX.Element {
  const [stats, setStats] = useState<ConsoleStats>();
  const [busy, setBusy] = useState(false);
  const load = useCallback(() => {
    setBusy(true);
    void client.run('Read statistics', 'console:stats', {}).then((r) => {
      setBusy(false);
      if (r.ok) setStats(r.value);
    });
  }, [client]);
  useFirstShow(shown, load);
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
