/** Acceptance diagnostics: each measured value against its limits, PASS or FAIL in words and icon. */
import { memo, type JSX } from 'react';
import type { DiagnosticResult } from '../../../../main/contract/api';
import { Badge, FAIL_LOOK, PASS_LOOK } from '../../components/Badge';
import { formatLimits, formatValue } from '../../components/format';

const DiagnosticRow = memo(function DiagnosticRow({ result }: { result: DiagnosticResult }): JSX.Element {
  return (
    <tr data-testid={`diag-${result.name}`} data-passed={String(result.passed)} className={result.passed ? 'row-ok' : 'row-bad'}>
      <th scope="row">{result.name}</th>
      <td>{result.type}</td>
      <td className="mono">
        {formatValue(result.value)}
        {result.unit ? ` ${result.unit}` : ''}
      </td>
      <td className="mono">{formatLimits(result.limits, result.unit)}</td>
      <td>
        <Badge look={result.passed ? PASS_LOOK : FAIL_LOOK} />
        {result.detail && <span className="diag-detail">{result.detail}</span>}
      </td>
    </tr>
  );
});

export function DiagnosticsTable({ diagnostics }: { diagnostics: readonly DiagnosticResult[] }): JSX.Element {
  return (
    <section className="panel" aria-labelledby="diag-title">
      <h2 id="diag-title">Diagnostics</h2>
      {diagnostics.length === 0 ? (
        <p className="empty">No diagnostics yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="run-diagnostics">
            <thead>
              <tr>
                <th scope="col">Check</th>
                <th scope="col">Type</th>
                <th scope="col">Value</th>
                <th scope="col">Limits</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {diagnostics.map((d) => (
                <DiagnosticRow key={d.name} result={d} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
