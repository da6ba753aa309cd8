/**
 * The registry: its URL, and a token that is write-only — typed, sent, then cleared from the page. The page only
 * ever learns whether one is set.
 */
import { useState, type JSX } from 'react';
import { saveRegistry } from '../../effects/settings';
import { useSettings } from '../../state/settings';
import { SettingsSection } from './SettingsSection';

export function RegistryForm({ initialUrl }: { initialUrl: string }): JSX.Element {
  const [url, setUrl] = useState(initialUrl);
  const [token, setToken] = useState('');
  const tokenSet = useSettings((s) => s.settings?.tokenSet ?? false);
  return (
    <SettingsSection
      form="registry"
      title="Registry"
      saveLabel="Save registry"
      canSave={url.trim() !== ''}
      onSave={() =>
        void saveRegistry(url, token).then((ok) => {
          if (ok) setToken('');
        })
      }
    >
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
    </SettingsSection>
  );
}
