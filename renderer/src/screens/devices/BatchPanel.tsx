/**
 * The batch: the profile and variables every Provision click uses, chosen once and remembered. The first usable
 * example is preselected, so a newcomer can go straight to a row's Provision button.
 */
import { memo, type JSX } from 'react';
import { ProfileOptions } from '../../components/ProfileOptions';
import { profilesStore, usable, useProfiles } from '../../state/profiles';
import { allows, useSession } from '../../state/session';

const VariableField = memo(function VariableField({
  profilePath,
  name,
  description,
  fallback,
  pattern,
}: {
  profilePath: string;
  name: string;
  description?: string;
  fallback?: string;
  pattern?: string;
}): JSX.Element {
  const value = useProfiles((s) => s.choice.variablesByProfile[profilePath]?.[name] ?? '');
  const id = `batch-var-${name}`;
  const help = [description, fallback !== undefined ? `default ${fallback}` : 'required', pattern ? `pattern ${pattern}` : undefined].filter(Boolean).join(' · ');
  return (
    <div className="field">
      <label htmlFor={id}>{name}</label>
      <input
        id={id}
        data-testid={id}
        type="text"
        value={value}
        placeholder={fallback ?? ''}
        aria-describedby={`${id}-help`}
        spellCheck={false}
        autoComplete="off"
        onChange={(event) => profilesStore.getState().setVariable(profilePath, name, event.target.value)}
      />
      <span id={`${id}-help`} className="field-help">
        {help}
      </span>
    </div>
  );
});

function Variables({ profilePath }: { profilePath: string }): JSX.Element | null {
  const variables = useProfiles((s) => s.details[profilePath]?.profile?.variables);
  if (!variables || variables.length === 0) return null;
  return (
    <fieldset className="batch-variables">
      <legend>Batch variables (empty: the profile’s default)</legend>
      {variables.map((v) => (
        <VariableField key={v.name} profilePath={profilePath} name={v.name} description={v.description} fallback={v.default} pattern={v.pattern} />
      ))}
    </fieldset>
  );
}

export function BatchPanel(): JSX.Element {
  const list = useProfiles((s) => s.list);
  const loaded = useProfiles((s) => s.loaded);
  const profilePath = useProfiles((s) => s.choice.profilePath);
  const reprovision = useProfiles((s) => s.choice.reprovision);
  // Replacing an identity is rework: offered to a supervisor on a station with operators (the core decides anyway).
  const mayRework = useSession((s) => allows(s.session, 'rework'));
  const options = list.filter(usable);
  return (
    <section className="panel batch" aria-labelledby="batch-title">
      <h2 id="batch-title">Provision with</h2>
      <div className="batch-row">
        <div className="field">
          <label htmlFor="batch-profile">Profile</label>
          <select
            id="batch-profile"
            data-testid="batch-profile"
            value={profilePath ?? ''}
            disabled={options.length === 0}
            onChange={(event) => profilesStore.getState().choose(event.target.value)}
          >
            <ProfileOptions options={options} empty={loaded ? 'No usable profile — import one' : 'Loading…'} />
          </select>
        </div>
        {mayRework && (
          <div className="field field-check">
            <input
              id="batch-reprovision"
              type="checkbox"
              checked={reprovision}
              onChange={(event) => profilesStore.getState().setReprovision(event.target.checked)}
            />
            <label htmlFor="batch-reprovision">Replace an identity the device already holds (its old key is destroyed)</label>
          </div>
        )}
      </div>
      {profilePath && <Variables profilePath={profilePath} />}
    </section>
  );
}
