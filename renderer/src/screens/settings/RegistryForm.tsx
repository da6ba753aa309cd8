/**
 * The registry: its URL, and a token that is write-only — typed, sent, then cleared from the page. The page only
 * ever learns whether one is set.
 */
import { useState, type JSX } from 'react';
import { saveRegistry } from '../../effects/settings';
import { useSettings } from '../../state/settings';
import { SavedNote } from '../../components/SavedNote';

export function RegistryForm({ initialUrl }: { initialUrl: string }): JSX.Element {
  const [url, setUrl] = useState(initialUrl);
  const [token, setToken] = useState('');
  const tokenSet = useSettings((s) => s.settings?.tokenSet ?? false);
  const saving = useSettings((s) => Boolean(s.saving.registry));
  const saved = useSettings((s) => s.saved === 'registry');
  return (
    <form
      className="form"
      aria-labelledby="registry-title"
      onSubmit={(event) => {
        event.preventDefault();
        void saveRegistry(url, token).then((ok) => {
          if (ok) setToken('');
        });
      }}
    >
      <h2 id="registry-title">Registry</h2>
      <div className="field">
        <label htmlFor="settings-registry-url">Registry URL</label>
        <input
          id="settings-registry-url"
          data-testid="settings-registry-url"
          type="url"
          required
          value={url}
          placeholder="https://registry.example.com"
          spellCheck={false}
          autoComplete="url"
          onChange={(e) => setUrl(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="settings-registry-token">Station token</label>
        <input
          id="settings-registry-token"
          data-testid="settings-registry-token"
          type="password"
          value={token}
          autoComplete="off"
          spellCheck={false}
          placeholder={tokenSet ? 'leave empty to keep the current token' : 'paste the token from the registry administrator'}
          aria-describedby="settings-token-state"
          onChange={(e) => setToken(e.target.value)}
        />
        <span id="settings-token-state" className="field-help" data-testid="settings-token-state" data-token-set={String(tokenSet)}>
          <span aria-hidden="true">{tokenSet ? '✔ ' : '○ '}</span>
          {tokenSet ? 'Token set (never shown back)' : 'No token set'}
        </span>
      </div>
      <div className="actions">
        <button type="submit" className="button-primary" data-testid="settings-registry-save" disabled={saving || url.trim() === ''}>
          {saving ? 'Saving…' : 'Save registry'}
        </button>
        {saved && <SavedNote />}
      </div>
    </form>
  );
}
