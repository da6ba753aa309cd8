/**
 * The frame every settings form shares: a titled form, and a Save button that says "Saving…" while its call is
 * under way and is followed by a short "Saved" note once it succeeded. Each form supplies only its fields.
 */
import type { JSX, ReactNode } from 'react';
import { SavedNote } from '../../components/SavedNote';
import { useSettings, type SettingsForm } from '../../state/settings';

export function SettingsSection({
  form,
  title,
  saveLabel,
  canSave = true,
  onSave,
  children,
}: {
  form: SettingsForm;
  title: string;
  saveLabel: string;
  canSave?: boolean;
  onSave: () => void;
  children: ReactNode;
}): JSX.Element {
  const saving = useSettings((s) => Boolean(s.saving[form]));
  const saved = useSettings((s) => s.saved === form);
  return (
    <form
      className="form"
      aria-labelledby={`${form}-title`}
      onSubmit={(event) => {
        event.preventDefault();
        onSave();
      }}
    >
      <h2 id={`${form}-title`}>{title}</h2>
      {children}
      <div className="actions">
        <button type="submit" className="button-primary" data-testid={`settings-${form}-save`} disabled={saving || !canSave}>
          {saving ? 'Saving…' : saveLabel}
        </button>
        {saved && <SavedNote />}
      </div>
    </form>
  );
}
