/**
 * Every failed call, in the contract's words with the fix, until dismissed. The live region is always in the
 * page (screen readers announce what is added to a region that already exists); each alert is one list item.
 */
import { memo, type JSX } from 'react';
import { alertsStore, useAlerts, type Alert } from '../state/alerts';
import { ErrorText } from './ErrorText';

const AlertItem = memo(function AlertItem({ alert }: { alert: Alert }): JSX.Element {
  return (
    <li className="alert" data-testid="alert" data-code={alert.error.code}>
      <span className="alert-icon" aria-hidden="true">
        ⚠
      </span>
      <div className="alert-body">
        <span className="alert-context">
          {alert.context} failed{alert.count > 1 ? ` (${alert.count}×)` : ''}
        </span>
        <ErrorText error={alert.error} />
      </div>
      <button type="button" className="button-quiet" onClick={() => alertsStore.getState().dismiss(alert.id)}>
        Dismiss
      </button>
    </li>
  );
});

export function AlertRegion(): JSX.Element {
  const alerts = useAlerts((s) => s.alerts);
  return (
    <section className="alert-region" aria-label="Problems" data-testid="alerts">
      <div role="alert" aria-live="assertive" aria-atomic="false">
        {alerts.length > 0 && (
          <ul className="alert-list">
            {alerts.map((alert) => (
              <AlertItem key={alert.id} alert={alert} />
            ))}
          </ul>
        )}
      </div>
      {alerts.length > 1 && (
        <button type="button" className="button-quiet" onClick={() => alertsStore.getState().clear()}>
          Dismiss all
        </button>
      )}
    </section>
  );
}
