/** The Bluetooth adapter scans and BLE runs use: this machine's, or the virtual gateways of `fieldline sim --ble`. */
import { useState, type JSX } from 'react';
import type { Settings } from '../../../../main/contract/api';
import { saveBleAdapter } from '../../effects/settings';
import { SettingsSection } from './SettingsSection';

type Choice = 'system' | 'virtual' | 'default';

const SOURCE_TEXT: Record<NonNullable<Settings['ble']>['source'], string> = {
  settings: 'chosen here',
  station: 'as the station was started',
  environment: 'from FIELDLINE_BLE_ADAPTER',
  default: 'the default',
};

export function BleAdapterForm({ ble }: { ble: Settings['ble'] }): JSX.Element {
  const [choice, setChoice] = useState<Choice>(ble?.source === 'settings' ? ble.adapter : 'default');
  return (
    <SettingsSection form="ble" title="Bluetooth adapter" saveLabel="Save adapter" onSave={() => void saveBleAdapter(choice)}>
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
    </SettingsSection>
  );
}
