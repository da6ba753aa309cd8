/**
 * Import a profile: the YAML (and its .sig, when the publisher signed it) are read here and sent as content — the
 * Node side never opens a path the page chose. A profile with problems is imported too, and its problems shown.
 */
import { useRef, useState, type JSX } from 'react';
import { importProfile } from '../../effects/profiles';
import { useProfiles } from '../../state/profiles';

export function ImportPanel(): JSX.Element {
  const fileRef = useRef<HTMLInputElement>(null);
  const sigRef = useRef<HTMLInputElement>(null);
  const [picked, setPicked] = useState(false);
  const [replace, setReplace] = useState(false);
  const importing = useProfiles((s) => s.importing);
  const last = useProfiles((s) => s.lastImport);
  return (
    <section className="panel" aria-labelledby="import-title">
      <h2 id="import-title">Import a profile</h2>
      <form
        className="form form-inline"
        onSubmit={(event) => {
          event.preventDefault();
          const file = fileRef.current?.files?.[0];
          if (!file) return;
          void importProfile(file, sigRef.current?.files?.[0], replace);
        }}
      >
        <div className="field">
          <label htmlFor="profile-import-file">Profile (YAML)</label>
          <input id="profile-import-file" data-testid="profile-import-file" ref={fileRef} type="file" accept=".yaml,.yml" onChange={(e) => setPicked((e.target.files?.length ?? 0) > 0)} />
        </div>
        <div className="field">
          <label htmlFor="profile-import-signature">Signature (.sig, optional)</label>
          <input id="profile-import-signature" data-testid="profile-import-signature" ref={sigRef} type="file" accept=".sig" />
        </div>
        <div className="field field-check">
          <input id="profile-import-replace" type="checkbox" checked={replace} onChange={(e) => setReplace(e.target.checked)} />
          <label htmlFor="profile-import-replace">Replace a profile with the same file name</label>
        </div>
        <button type="submit" className="button-primary" data-testid="profile-import-submit" disabled={!picked || importing}>
          {importing ? 'Importing…' : 'Import'}
        </button>
      </form>
      {last && (
        <p className="import-result" role="status" data-testid="profile-import-result" data-problems={last.problemList.length}>
          {last.problemList.length === 0 ? (
            <>
              <span aria-hidden="true">✔ </span>Imported {last.fileName}.
            </>
          ) : (
            <>
              <span aria-hidden="true">✖ </span>Imported {last.fileName} with {last.problemList.length} problem
              {last.problemList.length === 1 ? '' : 's'}: they are shown below at their lines. Fix them and import again with “Replace”.
            </>
          )}
        </p>
      )}
    </section>
  );
}
