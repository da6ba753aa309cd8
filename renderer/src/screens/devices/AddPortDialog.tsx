/**
 * "Add port": a serial port discovery cannot list (a virtual gateway's pty, a UART), entered by hand. Its error is
 * shown inside the dialog: the page's alert region sits under the modal overlay, where no one can read it.
 */
import { useState, type JSX } from 'react';
import type { ErrorInfo } from '../../../../main/contract/api';
import { Dialog } from '../../components/Dialog';
import { ErrorText } from '../../components/ErrorText';
import { addPort } from '../../effects/devices';

export function AddPortDialog({ onClose }: { onClose(): void }): JSX.Element {
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | undefined>(undefined);
  return (
    <Dialog title="Add port" onClose={onClose} testId="add-port-dialog">
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          if (busy || path.trim() === '') return;
          setBusy(true);
          setError(undefined);
          void addPort(path.trim()).then((failed) => {
            setBusy(false);
            if (failed) setError(failed);
            else onClose();
          });
        }}
      >
        <div className="field">
          <label htmlFor="add-port-path">Port path</label>
          <input
            id="add-port-path"
            data-testid="add-port-path"
            type="text"
            value={path}
            autoFocus
            required
            spellCheck={false}
            autoComplete="off"
            placeholder="/dev/ttyUSB0, /dev/pts/3, COM4"
            aria-describedby={error ? 'add-port-help add-port-error' : 'add-port-help'}
            aria-invalid={error ? true : undefined}
            onChange={(event) => setPath(event.target.value)}
          />
          <span id="add-port-help" className="field-help">
            A port the list does not show: a virtual gateway’s path (as `fieldline sim` prints it) or a UART.
          </span>
        </div>
        {error && (
          <p id="add-port-error" className="dialog-error" role="alert" data-testid="add-port-error" data-code={error.code}>
            <ErrorText error={error} />
          </p>
        )}
        <div className="actions">
          <button type="submit" className="button-primary" data-testid="add-port-submit" disabled={busy || path.trim() === ''}>
            {busy ? 'Adding…' : 'Add port'}
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
