/** "Add port": a serial port discovery cannot list (a virtual gateway's pty, a UART), typed by hand. */
import { useState, type JSX } from 'react';
import { Dialog } from '../../components/Dialog';
import { addPort } from '../../effects/devices';

export function AddPortDialog({ onClose }: { onClose(): void }): JSX.Element {
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <Dialog title="Add port" onClose={onClose} testId="add-port-dialog">
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          if (busy || path.trim() === '') return;
          setBusy(true);
          void addPort(path.trim()).then((added) => {
            setBusy(false);
            if (added) onClose();
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
            aria-describedby="add-port-help"
            onChange={(event) => setPath(event.target.value)}
          />
          <span id="add-port-help" className="field-help">
            A port the list does not show: a virtual gateway’s path (as `fieldline sim` prints it) or a UART.
          </span>
        </div>
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
