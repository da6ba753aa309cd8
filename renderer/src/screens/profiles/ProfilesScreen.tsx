/**
 * Profiles: import (offered to a role that may import, on a station with operators), the list with signature status,
 * release state (on a station that follows a release channel) and problem count, and the details of the one opened.
 */
import { memo, type JSX } from 'react';
import type { ProfileListItem } from '../../../../main/contract/api';
import { Badge, SIGNATURE_LOOK, type BadgeLook } from '../../components/Badge';
import { loadProfileDetails } from '../../effects/profiles';
import { profilesStore, useProfiles } from '../../state/profiles';
import { allows, useSession } from '../../state/session';
import { ScreenTitle } from '../ScreenTitle';
import { ImportPanel } from './ImportPanel';
import { ProfileDetails } from './ProfileDetails';

const SOURCE_WORDS: Record<ProfileListItem['source'], string> = { data: 'imported', example: 'example', release: 'pulled' };

/** On a station that follows a release channel: released (channel and version), or not one of its releases. */
function releaseLook(release: NonNullable<ProfileListItem['release']>): BadgeLook {
  return release.state === 'released'
    ? { icon: '✔', label: `Released · ${release.channel} ${release.version ?? ''}`.trim(), tone: 'ok' }
    : { icon: '⚠', label: `Unreleased (${release.channel} needs an override)`, tone: 'warn' };
}

const ProfileRow = memo(function ProfileRow({ item, open }: { item: ProfileListItem; open: boolean }): JSX.Element {
  return (
    <tr data-testid={`profile-row-${item.fileName}`} className={open ? 'row-open' : undefined}>
      <th scope="row">{item.name || <em>(unnamed)</em>}</th>
      <td>{item.version}</td>
      {/* A pulled release is named by its SHA-256: its first characters are enough to tell it apart. */}
      <td className="mono" title={item.fileName}>
        {item.source === 'release' ? `${item.fileName.slice(0, 12)}…` : item.fileName}
      </td>
      <td>{SOURCE_WORDS[item.source]}</td>
      <td>
        <Badge look={SIGNATURE_LOOK[item.signature]} />
      </td>
      <td data-testid={`profile-release-${item.fileName}`}>{item.release ? <Badge look={releaseLook(item.release)} /> : '—'}</td>
      <td>
        {item.problems === 0 ? (
          <Badge look={{ icon: '✔', label: 'OK', tone: 'ok' }} />
        ) : (
          <Badge look={{ icon: '✖', label: `${item.problems} problem${item.problems === 1 ? '' : 's'}`, tone: 'bad' }} />
        )}
      </td>
      <td>
        <button
          type="button"
          aria-pressed={open}
          onClick={() => {
            profilesStore.getState().open(open ? undefined : item.path);
            if (!open) void loadProfileDetails(item.path);
          }}
        >
          {open ? 'Hide' : 'Details'}
        </button>
      </td>
    </tr>
  );
});

export function ProfilesScreen(): JSX.Element {
  const list = useProfiles((s) => s.list);
  const loaded = useProfiles((s) => s.loaded);
  const openPath = useProfiles((s) => s.openPath);
  const mayImport = useSession((s) => allows(s.session, 'profile.import'));
  return (
    <>
      <ScreenTitle>Profiles</ScreenTitle>
      {mayImport && <ImportPanel />}
      <section className="panel" aria-labelledby="profiles-title">
        <h2 id="profiles-title">On this station</h2>
        {!loaded ? (
          <p className="empty">Loading…</p>
        ) : list.length === 0 ? (
          <p className="empty">No profiles yet: import one.</p>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="profile-list">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Version</th>
                  <th scope="col">File</th>
                  <th scope="col">Source</th>
                  <th scope="col">Signature</th>
                  <th scope="col">Release</th>
                  <th scope="col">Lint</th>
                  <th scope="col">
                    <span className="visually-hidden">Details</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((item) => (
                  <ProfileRow key={item.path} item={item} open={item.path === openPath} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {openPath && <ProfileDetails path={openPath} />}
    </>
  );
}
