/** The label printer: a network printer's raw port (host or host:port, 9100 unless given); empty: ZPL files. */
import { useState, type JSX } from 'react';
import { SavedNote } from '../../components/SavedNote';
import { savePrinter } from '../../effects/settings';
import { useSettings } from '../../state/settings';

export function PrinterForm({ initial }: { initial: string }): JSX.Element {
  const [printer, setPrinter] = useState(initial);
  const saving = useSettings((s) => Boolean(s.saving.printer));
  const saved = useSettings((s) => s.saved === 'printer');
  return (
    <form
      className="form"
      aria-labelledby="printer-title"
      onSubmit={(event) => {
        event.preventDefault();
        void savePrinter(printer);
      }}
    >
      <h2 id="printer-title">Label printer</h2>
      <div className="field">
        <label htmlFor="settings-printer">Printer address</label>
        <input
          id="settings-printer"
          data-testid="settings-printer"
          type="text"
          maxLength={300}
          placeholder="printer.local:9100"
          spellCheck={false}
          autoComplete="off"
          aria-describedby="settings-printer-help"
          value={printer}
          onChange={(e) => setPrinter(e.target.value)}
        />
        <span id="settings-printer-help" className="field-help">
          A ZPL printer on the network (raw TCP, port 9100 unless given). The line prints each passing gateway’s label on it. Empty: labels are
          written as files in the data directory’s labels folder.
        </span>
      </div>
      <div className="actions">
        <button type="submit" className="button-primary" data-testid="settings-printer-save" disabled={saving}>
          {saving ? 'Saving…' : 'Save printer'}
        </button>
        {saved && <SavedNote />}
      </div>
    </form>
  );
}
