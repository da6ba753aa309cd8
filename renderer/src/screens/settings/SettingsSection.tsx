/**
 * The frame every settings form shares: a titled form, and a Save button that says "Saving…" while its call is
 * under way and is followed by a short "Saved" note once it succeeded. Each form supplies only its fields.
 */
import type { JSX, ReactNode } from 'react';
import { ErrorText } from '../../components/ErrorText';
import { SavedNote } from '../../components/SavedNote';
import { useSettings, type SettingsForm } from '../../state/settings';

export function SettingsSection({
  form,
  title,
  saveLabel,
  canSave = true,
  busyLabel = 'Saving…',
  onSave,
  children,
}: {
  form: SettingsForm;
  title: string;
  saveLabel: string;
  canSave?: boolean;
  /** What the button says while the call is under way. */
  busyLabel?: string;
  onSave: () => void;
  children: ReactNode;
}): JSX.Element {
  const saving = useSettings((s) => Boolean(s.saving[form]));
  const saved = useSettings((s) => s.saved === form);
  const failed = useSettings((s) => s.failed[form]);
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
          {saving ? busyLabel : saveLabel}
        </button>
        {saved && <SavedNote />}
      </div>
      {failed && !saving && (
        <p className="form-error" role="alert" data-testid={`settings-${form}-error`} data-code={failed.code}>
          <span className="error-message">Not saved.</span>
          <ErrorText error={failed} />
        </p>
      )}
    </form>
  );
}
