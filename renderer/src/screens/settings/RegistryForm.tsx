/**
 * The registry: its URL, and a token that is write-only — typed, sent, then cleared from the page. The page only
 * ever learns whether one is set. A token belongs to the registry it was given for (its origin): a URL on another
 * origin needs its token given again, and the form says so before it is saved, and after.
 */
import { useState, type JSX } from 'react';
import { saveRegistry } from '../../effects/settings';
import { useSettings } from '../../state/settings';
import { SettingsSection } from './SettingsSection';

/** The origin of a URL as typed, or undefined while it is not one yet. */
function originOf(text: string): string | undefined {
  try {
    return new URL(text.trim()).origin;
  } catch {
    return undefined;
  }
}

type TokenState = 'set' | 'none' | 'needed' | 'new-registry';

function tokenState(tokenSet: boolean, initialUrl: string, url: string): TokenState {
  if (tokenSet && initialUrl !== '' && originOf(url) !== undefined && originOf(url) !== originOf(initialUrl)) return 'new-registry';
  if (tokenSet) return 'set';
  return initialUrl !== '' ? 'needed' : 'none';
}

const TOKEN_TEXT: Record<TokenState, { icon: string; text: string; placeholder: string }> = {
  set: { icon: '✔ ', text: 'Token set (never shown back)', placeholder: 'leave empty to keep the current token' },
  none: { icon: '○ ', text: 'No token set', placeholder: 'paste the token from the registry administrator' },
  needed: {
    icon: '⚠ ',
    text: 'Needs a token: this registry has none (a token is sent only to the registry it was given for)',
    placeholder: 'paste the token for this registry',
  },
  'new-registry': {
    icon: '⚠ ',
    text: 'Another registry: give its token again — the current one belongs to the old registry and is removed when you save',
    placeholder: 'paste the token for the new registry',
  },
};

export function RegistryForm({ initialUrl }: { initialUrl: string }): JSX.Element {
  const [url, setUrl] = useState(initialUrl);
  const [token, setToken] = useState('');
  const tokenSet = useSettings((s) => s.settings?.tokenSet ?? false);
  const state = tokenState(tokenSet, initialUrl, url);
  const words = TOKEN_TEXT[state];
  return (
    <SettingsSection
      form="registry"
      title="Registry"
      saveLabel="Test and save registry"
      busyLabel="Testing the registry…"
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
          placeholder={words.placeholder}
          aria-describedby="settings-token-state"
          onChange={(e) => setToken(e.target.value)}
        />
        <span
          id="settings-token-state"
          className="field-help"
          data-testid="settings-token-state"
          data-token-set={String(tokenSet)}
          data-token-state={state}
        >
          <span aria-hidden="true">{words.icon}</span>
          {words.text}
        </span>
      </div>
    </SettingsSection>
  );
}
