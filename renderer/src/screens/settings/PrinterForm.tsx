/** The label printer: a network printer's raw port (host or host:port, 9100 unless given); empty: ZPL files. */
import { useState, type JSX } from 'react';
import { savePrinter } from '../../effects/settings';
import { SettingsSection } from './SettingsSection';

export function PrinterForm({ initial }: { initial: string }): JSX.Element {
  const [printer, setPrinter] = useState(initial);
  return (
    <SettingsSection form="printer" title="Label printer" saveLabel="Save printer" onSave={() => void savePrinter(printer)}>
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
    </SettingsSection>
  );
}
