/** Who is at the station: recorded with every run and in the audit log. */
import { useState, type JSX } from 'react';
import { saveOperator } from '../../effects/settings';
import { SettingsSection } from './SettingsSection';

export function OperatorForm({ initialName }: { initialName: string }): JSX.Element {
  const [name, setName] = useState(initialName);
  return (
    <SettingsSection form="operator" title="Operator" saveLabel="Save operator" canSave={name.trim() !== ''} onSave={() => void saveOperator(name)}>
      <div className="field">
        <label htmlFor="settings-operator">Operator name</label>
        <input id="settings-operator" data-testid="settings-operator" type="text" required maxLength={200} value={name} autoComplete="name" onChange={(e) => setName(e.target.value)} />
      </div>
    </SettingsSection>
  );
}
