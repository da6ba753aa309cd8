/** Who is at the station: recorded with every run and in the audit log. */
import { useState, type JSX } from 'react';
import { saveOperator } from '../../effects/settings';
import { useSettings } from '../../state/settings';
import { SavedNote } from '../../components/SavedNote';

export function OperatorForm({ initialName }: { initialName: string }): JSX.Element {
  const [name, setName] = useState(initialName);
  const saving = useSettings((s) => Boolean(s.saving.operator));
  const saved = useSettings((s) => s.saved === 'operator');
  return (
    <form
      className="form"
      aria-labelledby="operator-title"
      onSubmit={(event) => {
        event.preventDefault();
        void saveOperator(name);
      }}
    >
      <h2 id="operator-title">Operator</h2>
      <div className="field">
        <label htmlFor="settings-operator">Operator name</label>
        <input id="settings-operator" data-testid="settings-operator" type="text" required maxLength={200} value={name} autoComplete="name" onChange={(e) => setName(e.target.value)} />
      </div>
      <div className="actions">
        <button type="submit" className="button-primary" data-testid="settings-operator-save" disabled={saving || name.trim() === ''}>
          {saving ? 'Saving…' : 'Save operator'}
        </button>
        {saved && <SavedNote />}
      </div>
    </form>
  );
}
