/** The Bluetooth adapter scans and BLE runs use: this machine's, or the virtual gateways of `fieldline sim --ble`. */
import { useState, type JSX } from 'react';
import type { Settings } from '../../../../main/contract/api';
import { SavedNote } from '../../components/SavedNote';
import { saveBleAdapter } from '../../effects/settings';
import { useSettings } from '../../state/settings';

type Choice = 'system' | 'virtual' | 'default';

const SOURCE_TEXT: Record<NonNullable<Settings['ble']>['source'], string> = {
  settings: 'chosen here',
  station: 'as the station was started',
  environment: 'from FIELDLINE_BLE_ADAPTER',
  default: 'the default',
};

export function BleAdapterForm({ ble }: { ble: Settings['ble'] }): JSX.Element {
  const [choice, setChoice] = useState<Choice>(ble?.source === 'settings' ? ble.adapter : 'default');
  const saving = useSettings((s) => Boolean(s.saving.ble));
  const saved = useSettings((s) => s.saved === 'ble');
  return (
    <form
      className="form"
      aria-labelledby="ble-title"
      onSubmit={(event) => {
        event.preventDefault();
        void saveBleAdapter(choice);
      }}
    >
      <h2 id="ble-title">Bluetooth adapter</h2>
      <div className="field">
        <label htmlFor="settings-ble-adapter">Bluetooth LE gateways are reached through</label>
        <select id="settings-ble-adapter" data-testid="settings-ble-adapter" aria-describedby="settings-ble-help" value={choice} onChange={(e) => setChoice(e.target.value as Choice)}>
          <option value="default">Default (FIELDLINE_BLE_ADAPTER, else this machine’s adapter)</option>
          <option value="system">This machine’s Bluetooth adapter</option>
          <option value="virtual">Virtual gateways (fieldline sim --ble)</option>
        </select>
        <span id="settings-ble-help" className="field-help" data-testid="settings-ble-state">
          {ble ? `In use: ${ble.adapter === 'virtual' ? 'virtual gateways' : 'this machine’s adapter'} (${SOURCE_TEXT[ble.source]}).` : 'FIELDLINE_BLE_ADAPTER holds an unknown value.'}{' '}
          Changing it clears the Bluetooth gateways listed on the Devices screen; scan again.
        </span>
      </div>
      <div className="actions">
        <button type="submit" className="button-primary" data-testid="settings-ble-save" disabled={saving}>
          {saving ? 'Saving…' : 'Save adapter'}
        </button>
        {saved && <SavedNote />}
      </div>
    </form>
  );
}
