/**
 * The settings browser: the names the device's profile knows (from its provisioning run; else every profile of the
 * station) offered in a list, any other name typed in; get, set, delete and save with the value encodings of
 * `fieldline smp settings --as`. A known name brings its encoding.
 */
import { useCallback, useState, type JSX } from 'react';
import { SETTING_VALUE_ENCODINGS } from '../../../../../main/contract/console';
import type { ConsoleSettingNames, SettingValueEncoding } from '../../../../../main/contract/api';
import { shortId } from '../../../effects/runs';
import type { ConsoleClient } from './console-client';
import { useFirstShow } from './useFirstShow';

function isEncoding(value: string): value is SettingValueEncoding {
  return (SETTING_VALUE_ENCODINGS as readonly string[]).includes(value);
}

function basisWords({ provisionedBy: by }: ConsoleSettingNames): string {
  if (!by) return 'No provisioning run of this device is known here: names from every profile of the station.';
  const run = `provisioning run ${shortId(by.runId)} (${by.source === 'kit' ? 'visit kit' : 'this station'})`;
  return by.found
    ? `Names from ${by.name} ${by.version}, the profile of its ${run}.`
    : `Its ${run} used ${by.name} ${by.version}, which is not at hand here: names from every profile of the station.`;
}

export function SettingsPanel({ client, shown }: { client: ConsoleClient; shown: boolean }): JSX.Element {
  const [known, setKnown] = useState<ConsoleSettingNames>();
  const [name, setName] = useState('');
  const [as, setAs] = useState<SettingValueEncoding>('text');
  const [value, setValue] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);

  useFirstShow(
    shown,
    useCallback(() => {
      void client.run('Read setting names', 'console:settings-names', {}).then((r) => {
        if (r.ok) setKnown(r.value);
      });
    }, [client]),
  );

  const pickName = (next: string): void => {
    setName(next);
    const entry = known?.names.find((n) => n.name === next);
    if (entry) setAs(entry.as);
  };

  const run = async (work: () => Promise<string | undefined>): Promise<void> => {
    setBusy(true);
    try {
      const said = await work();
      if (said !== undefined) setNote(said);
    } finally {
      setBusy(false);
    }
  };

  const get = (): Promise<void> =>
    run(async () => {
      const r = await client.run(`Read ${name}`, 'console:settings-get', { name, as });
      if (!r.ok) return undefined;
      setValue(r.value.value);
      return `${r.value.name} = ${r.value.value} (hex ${r.value.hex || 'empty'})`;
    });
  const set = (): Promise<void> =>
    run(async () => {
      const r = await client.run(`Write ${name}`, 'console:settings-set', { name, value, as });
      return r.ok ? `${r.value.name} written (hex ${r.value.hex}); Save makes it survive a reboot.` : undefined;
    });
  const remove = (): Promise<void> =>
    run(async () => {
      const r = await client.run(`Delete ${name}`, 'console:settings-delete', { name });
      return r.ok ? `${r.value.name} deleted.` : undefined;
    });
  const save = (): Promise<void> =>
    run(async () => {
      const r = await client.run('Save settings', 'console:settings-save', {});
      return r.ok ? 'Settings committed and saved.' : undefined;
    });

  const named = name.trim().length > 0;
  return (
    <div data-testid="console-settings">
      {known && (
        <p className="muted" data-testid="console-settings-basis">
          {basisWords(known)}
        </p>
      )}
      <form className="form form-inline" onSubmit={(event) => event.preventDefault()}>
        <div className="field">
          <label htmlFor="console-setting-name">Name</label>
          <input
            id="console-setting-name"
            type="text"
            className="mono"
            list="console-setting-names"
            value={name}
            data-testid="console-setting-name"
            onChange={(e) => pickName(e.target.value)}
          />
          <datalist id="console-setting-names">
            {known?.names.map((n) => (
              <option key={n.name} value={n.name}>
                {n.as} · {n.profile}
              </option>
            ))}
          </datalist>
        </div>
        <div className="field">
          <label htmlFor="console-setting-as">Encoding</label>
          <select id="console-setting-as" value={as} data-testid="console-setting-as" onChange={(e) => isEncoding(e.target.value) && setAs(e.target.value)}>
            {SETTING_VALUE_ENCODINGS.map((e) => (
              <option key={e} value={e}>
                {e}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="console-setting-value">Value</label>
          <input id="console-setting-value" type="text" className="mono" value={value} data-testid="console-setting-value" onChange={(e) => setValue(e.target.value)} />
        </div>
        <div className="actions">
          <button type="button" disabled={busy || !named} onClick={() => void get()} data-testid="console-setting-get">
            Get
          </button>
          <button type="button" disabled={busy || !named} onClick={() => void set()} data-testid="console-setting-set">
            Set
          </button>
          <button type="button" className="button-danger" disabled={busy || !named} onClick={() => void remove()} data-testid="console-setting-delete">
            Delete
          </button>
          <button type="button" disabled={busy} onClick={() => void save()} data-testid="console-setting-save">
            Save
          </button>
        </div>
      </form>
      {note && (
        <p role="status" data-testid="console-setting-note">
          {note}
        </p>
      )}
    </div>
  );
}
