/**
 * Golden vs device. Every difference first, highlighted and said in words (differs, missing on the device, not in
 * the profile); then what the profile sets that matched. Values as text, bytes as hex.
 */
import { memo, type JSX } from 'react';
import type { Difference, ProfileSummary } from '../../../../main/contract/api';
import { Badge, type BadgeLook } from '../../components/Badge';

function diffLook(d: Difference): BadgeLook {
  if (d.actual === null) return { icon: '✖', label: 'Missing on device', tone: 'bad' };
  if (d.expected === null) return { icon: '✖', label: 'Not in profile', tone: 'bad' };
  return { icon: '✖', label: 'Differs', tone: 'bad' };
}

const SAME: BadgeLook = { icon: '✔', label: 'Same', tone: 'ok' };

const DiffRow = memo(function DiffRow({ d }: { d: Difference }): JSX.Element {
  return (
    <tr className="row-diff" data-testid={`drift-diff-${d.name}`} data-kind={d.kind} data-fixable={String(d.fixable)}>
      <td>{d.kind}</td>
      <th scope="row" className="mono">
        {d.name}
      </th>
      <td className="mono value-expected">{d.expected ?? '(absent)'}</td>
      <td className="mono value-actual">{d.actual ?? '(absent)'}</td>
      <td>
        <Badge look={diffLook(d)} />
        {!d.fixable && <span className="muted"> not fixable here</span>}
      </td>
    </tr>
  );
});

export function DriftTable({ differences, profile }: { differences: readonly Difference[]; profile: ProfileSummary | undefined }): JSX.Element {
  const differing = new Set(differences.map((d) => `${d.kind}:${d.name}`));
  const matched = profile
    ? [...profile.settings.map((s) => ({ kind: 'setting', name: s.name })), ...profile.files.map((f) => ({ kind: 'file', name: f }))].filter(
        (m) => !differing.has(`${m.kind}:${m.name}`),
      )
    : [];
  return (
    <div className="table-wrap">
      <table className="table" data-testid="drift-table">
        <thead>
          <tr>
            <th scope="col">Kind</th>
            <th scope="col">Name</th>
            <th scope="col">Golden</th>
            <th scope="col">Device</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {differences.map((d) => (
            <DiffRow key={`${d.kind}:${d.name}`} d={d} />
          ))}
          {matched.map((m) => (
            <tr key={`${m.kind}:${m.name}`} data-testid="drift-same">
              <td>{m.kind}</td>
              <th scope="row" className="mono">
                {m.name}
              </th>
              <td colSpan={2} className="muted">
                as in the profile
              </td>
              <td>
                <Badge look={SAME} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
