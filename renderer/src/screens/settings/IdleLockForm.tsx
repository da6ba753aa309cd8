/** The idle lock: after this many minutes without input a signed-in operator is signed out (issue #14). */
import { useState, type JSX } from 'react';
import { IDLE_LOCK_MINUTES } from '../../../../main/contract/session';
import { saveIdleLock } from '../../effects/settings';
import { SettingsSection } from './SettingsSection';

export function IdleLockForm({ initial }: { initial: number }): JSX.Element {
  const [minutes, setMinutes] = useState(String(initial));
  const value = Number(minutes);
  const valid = Number.isInteger(value) && value >= IDLE_LOCK_MINUTES.min && value <= IDLE_LOCK_MINUTES.max;
  return (
    <SettingsSection form="idle" title="Idle lock" saveLabel="Save idle lock" canSave={valid} onSave={() => void saveIdleLock(value)}>
      <div className="field">
        <label htmlFor="settings-idle-lock">Minutes without activity</label>
        <input
          id="settings-idle-lock"
          data-testid="settings-idle-lock"
          type="number"
          required
          min={IDLE_LOCK_MINUTES.min}
          max={IDLE_LOCK_MINUTES.max}
          step={1}
          aria-describedby="settings-idle-lock-help"
          value={minutes}
          onChange={(e) => setMinutes(e.target.value)}
        />
        <span id="settings-idle-lock-help" className="field-help">
          After this long without a key or a click, the operator signed in here is signed out ({IDLE_LOCK_MINUTES.min}–{IDLE_LOCK_MINUTES.max} minutes).
        </span>
      </div>
    </SettingsSection>
  );
}
