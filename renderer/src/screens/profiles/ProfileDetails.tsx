/** One profile: what it sets up, its signature, and every problem at its line. */
import type { JSX } from 'react';
import type { ProfileDetails as Details, ProfileSummary } from '../../../../main/contract/api';
import { Badge, SIGNATURE_LOOK } from '../../components/Badge';
import { useProfiles } from '../../state/profiles';
import { ProfileText } from './ProfileText';

function Summary({ profile }: { profile: ProfileSummary }): JSX.Element {
  return (
    <>
      {profile.description && <p>{profile.description}</p>}
      <dl className="facts">
        <dt>Firmware</dt>
        <dd>{profile.firmwareMinVersion ? `at least ${profile.firmwareMinVersion}` : 'any'}</dd>
        <dt>Identity</dt>
        <dd>{profile.identity ? `${profile.identity.mode === 'csr' ? 'key made on the device (CSR)' : 'key injected'} · ${profile.identity.subject}` : 'none'}</dd>
        <dt>Settings</dt>
        <dd>{profile.settings.length > 0 ? profile.settings.map((s) => s.name).join(', ') : 'none'}</dd>
        <dt>Files</dt>
        <dd>{profile.files.length > 0 ? profile.files.join(', ') : 'none'}</dd>
        <dt>Diagnostics</dt>
        <dd>{profile.diagnostics.length > 0 ? profile.diagnostics.map((d) => d.name).join(', ') : 'none'}</dd>
      </dl>
      {profile.variables.length > 0 && (
        <table className="table">
          <caption>Batch variables</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Default</th>
              <th scope="col">Pattern</th>
              <th scope="col">Description</th>
            </tr>
          </thead>
          <tbody>
            {profile.variables.map((v) => (
              <tr key={v.name}>
                <th scope="row">{v.name}</th>
                <td className="mono">{v.default ?? '(required)'}</td>
                <td className="mono">{v.pattern ?? '—'}</td>
                <td>{v.description ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function Problems({ details }: { details: Details }): JSX.Element {
  return (
    <div className="problems" data-testid="profile-problems">
      <h3>
        <span aria-hidden="true">✖ </span>
        {details.problemList.length} problem{details.problemList.length === 1 ? '' : 's'} — this profile cannot be used until they are fixed
      </h3>
      <ul>
        {details.problemList.map((p, i) => (
          <li key={i} data-testid="profile-problem" data-line={p.line}>
            <strong>Line {p.line}{p.column ? `:${p.column}` : ''}</strong>
            {p.path ? <code> {p.path}</code> : null}: {p.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function ProfileDetails({ path }: { path: string }): JSX.Element {
  const details = useProfiles((s) => s.details[path]);
  if (!details) return <p className="empty">Loading the profile…</p>;
  return (
    <section className="panel" aria-labelledby="profile-title" data-testid="profile-details">
      <h2 id="profile-title">
        {details.name || details.fileName} {details.version}
      </h2>
      <p>
        <Badge look={SIGNATURE_LOOK[details.signature]} testId="profile-signature" /> <span className="muted">{details.fileName} · SHA-256 {details.sha256.slice(0, 16)}…</span>
      </p>
      {details.problemList.length > 0 && <Problems details={details} />}
      {details.profile && <Summary profile={details.profile} />}
      <h3>Profile text</h3>
      <ProfileText text={details.text} problems={details.problemList} />
    </section>
  );
}
