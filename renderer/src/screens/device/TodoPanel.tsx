/** What needs doing, in the service logic's words, each with the action that puts it right. */
import type { JSX } from 'react';
import type { ServiceTodo } from '../../../../main/contract/service';
import type { PageAction } from '../../state/device-page';

const ACTION_BUTTON: Record<NonNullable<ServiceTodo['action']>, string> = { update: 'Update firmware', renew: 'Renew certificate', remediate: 'Remediate' };

export function TodoPanel({ todos, onAction, busy }: { todos: readonly ServiceTodo[]; onAction(action: PageAction): void; busy: boolean }): JSX.Element {
  return (
    <section className="panel" aria-labelledby="device-todos-title">
      <h2 id="device-todos-title">To do</h2>
      {todos.length === 0 ? (
        <p className="tone-ok" data-testid="todos-none">
          <span aria-hidden="true">✔ </span>Nothing to do: the device matches its provisioned profile and the current release.
        </p>
      ) : (
        <ul className="todo-list" data-testid="device-todos">
          {todos.map(({ kind, message, action }) => (
            <li key={`${kind}:${message}`} data-testid="device-todo" data-kind={kind}>
              <span aria-hidden="true">⚠ </span>
              {message}
              {action && (
                <button type="button" className="button-quiet" data-testid={`todo-${action}`} disabled={busy} onClick={() => onAction(action)}>
                  {ACTION_BUTTON[action]}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
