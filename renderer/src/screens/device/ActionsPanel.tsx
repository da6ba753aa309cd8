/**
 * The service actions: diagnostics (nothing written), remediate, update firmware, renew the certificate — each asks
 * first when it writes — and the last action's answer, with its service record. Replace has its own panel below.
 */
import type { JSX } from 'react';
import type { ServiceInspection, ServiceResult } from '../../../../main/contract/service';
import { Badge, OUTCOME_LOOK } from '../../components/Badge';
import { runServiceAction } from '../../effects/device-page';
import { shortId } from '../../effects/runs';
import { actionBlocked, devicePageStore, PAGE_ACTIONS, useDevicePage, type PageAction } from '../../state/device-page';
import { ACTION_LABEL } from './format';
import { ServiceConfirm } from './ServiceConfirm';

const BUTTON: Record<PageAction, { label: string; busy: string }> = {
  diagnose: { label: 'Run diagnostics', busy: 'Running diagnostics…' },
  remediate: { label: 'Remediate…', busy: 'Remediating…' },
  update: { label: 'Update firmware…', busy: 'Updating firmware…' },
  renew: { label: 'Renew certificate…', busy: 'Renewing…' },
};

/** Diagnose writes nothing: it runs at once. The others wait for the dialog's yes. */
export function requestAction(action: PageAction): void {
  if (action === 'diagnose') void runServiceAction(action);
  else devicePageStore.getState().ask(action);
}

function Outcome({ result }: { result: ServiceResult }): JSX.Element {
  const failedDiagnostics = result.diagnostics.filter((d) => !d.passed).length;
  const details: string[] = [];
  if (result.fixed) details.push(`fixed ${result.fixed.length}`);
  if (result.remaining) details.push(result.remaining.length === 0 ? 'nothing remains' : `${result.remaining.length} remain`);
  if (result.diagnostics.length > 0) details.push(`${result.diagnostics.length - failedDiagnostics}/${result.diagnostics.length} diagnostics passed`);
  if (result.revokedOld) details.push(result.revokedOld.revoked ? `old certificate ${result.revokedOld.serial} revoked` : `old certificate not revoked: ${result.revokedOld.reason}`);
  if (result.action === 'update') details.push(`firmware ${result.record.device.firmwareBefore ?? '?'} → ${result.record.device.firmwareAfter ?? '?'}`);
  return (
    <p className="service-result" role="status" data-testid="service-result" data-action={result.action} data-outcome={result.outcome} data-run-id={result.record.id}>
      <Badge look={OUTCOME_LOOK[result.outcome] ?? OUTCOME_LOOK['running']!} /> {ACTION_LABEL[result.action]}
      {details.length > 0 ? `: ${details.join('; ')}.` : '.'} Service record{' '}
      <a href={`#/runs/${result.record.id}/report`} data-testid="service-result-report">
        {shortId(result.record.id)}
      </a>
      , queued for the registry.
    </p>
  );
}

export function ActionsPanel({ inspection }: { inspection: ServiceInspection }): JSX.Element {
  const running = useDevicePage((s) => s.running);
  const confirming = useDevicePage((s) => s.confirming);
  const inspecting = useDevicePage((s) => s.inspecting);
  const lastResult = useDevicePage((s) => s.lastResult);
  return (
    <section className="panel" aria-labelledby="device-actions-title">
      <h2 id="device-actions-title">Service actions</h2>
      <div className="actions">
        {PAGE_ACTIONS.map((action) => {
          const why = actionBlocked(action, inspection);
          return (
            <button
              key={action}
              type="button"
              className={action === 'diagnose' ? 'button-primary' : undefined}
              data-testid={`service-${action}`}
              disabled={running !== undefined || inspecting || why !== undefined}
              title={why}
              onClick={() => requestAction(action)}
            >
              {running === action ? BUTTON[action].busy : BUTTON[action].label}
            </button>
          );
        })}
      </div>
      {lastResult && <Outcome result={lastResult} />}
      {confirming && (
        <ServiceConfirm
          action={confirming}
          inspection={inspection}
          onClose={() => devicePageStore.getState().ask(undefined)}
          onConfirm={() => void runServiceAction(confirming)}
        />
      )}
    </section>
  );
}
