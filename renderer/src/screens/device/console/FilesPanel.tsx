/**
 * The file browser: a folder listed through the device's file-system shell (`fs ls`), or — on a build without it —
 * said plainly, with files still reached by a typed path. Download (bounded; saved through the browser), hash on
 * the device, and upload of a local file into the folder shown.
 */
import { useCallback, useState, type JSX } from 'react';
import { CONSOLE_LIMITS } from '../../../../../main/contract/console';
import type { ConsoleHash, ConsoleListing } from '../../../../../main/contract/api';
import { saveFile } from '../../../effects/save-file';
import type { ConsoleClient } from './console-client';
import { baseName, childPath, fromBase64, parentPath, toBase64 } from './console-state';
import { useFirstShow } from './useFirstShow';

const START = '/lfs';

export function FilesPanel({ client, shown }: { client: ConsoleClient; shown: boolean }): JSX.Element {
  const [dir, setDir] = useState(START);
  const [typed, setTyped] = useState(START);
  const [listing, setListing] = useState<ConsoleListing>();
  const [file, setFile] = useState('');
  const [hash, setHash] = useState<ConsoleHash>();
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);

  const list = useCallback(
    (path: string) => {
      setBusy(true);
      setDir(path);
      setTyped(path);
      void client.run('List files', 'console:fs-list', { path }).then((r) => {
        setBusy(false);
        if (r.ok) setListing(r.value);
      });
    },
    [client],
  );
  useFirstShow(
    shown,
    useCallback(() => list(START), [list]),
  );

  const download = (): void => {
    setBusy(true);
    void client.run(`Download ${file}`, 'console:fs-download', { path: file }).then((r) => {
      setBusy(false);
      if (!r.ok) return;
      saveFile(baseName(r.value.path), new Blob([fromBase64(r.value.base64) as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
      setNote(`Downloaded ${r.value.path}: ${r.value.size} bytes, sha256 ${r.value.sha256}`);
    });
  };

  const hashIt = (): void => {
    setBusy(true);
    void client.run(`Hash ${file}`, 'console:fs-hash', { path: file, type: 'sha256' }).then((r) => {
      setBusy(false);
      if (r.ok) setHash(r.value);
    });
  };

  const upload = async (local: File | undefined): Promise<void> => {
    if (!local) return;
    if (local.size > CONSOLE_LIMITS.uploadBytes) {
      setNote(`${local.name} is ${local.size} bytes; the console uploads at most ${CONSOLE_LIMITS.uploadBytes} (use fieldline smp fs upload).`);
      return;
    }
    const path = childPath(dir, local.name);
    setBusy(true);
    const bytes = new Uint8Array(await local.arrayBuffer());
    const r = await client.run(`Upload ${path}`, 'console:fs-upload', { path, base64: toBase64(bytes) });
    setBusy(false);
    if (!r.ok) return;
    setNote(`Uploaded ${r.value.path}: ${r.value.size} bytes, sha256 ${r.value.sha256}`);
    list(dir);
  };

  return (
    <div data-testid="console-files">
      <form
        className="form form-inline"
        onSubmit={(event) => {
          event.preventDefault();
          if (typed.startsWith('/')) list(typed);
        }}
      >
        <div className="field">
          <label htmlFor="console-dir">Folder</label>
          <input id="console-dir" type="text" className="mono" value={typed} data-testid="console-dir" onChange={(e) => setTyped(e.target.value)} />
        </div>
        <button type="submit" disabled={busy || !typed.startsWith('/')} data-testid="console-list">
          List
        </button>
        <button type="button" disabled={busy || dir === '/'} onClick={() => list(parentPath(dir))}>
          Up
        </button>
        <div className="field">
          <label htmlFor="console-upload">Upload into this folder</label>
          <input
            id="console-upload"
            type="file"
            data-testid="console-upload"
            disabled={busy}
            onChange={(e) => {
              void upload(e.target.files?.[0]);
              e.target.value = '';
            }}
          />
        </div>
      </form>

      {listing?.state === 'no-shell' && (
        <p className="console-notice" role="status" data-testid="console-no-fs-shell">
          This device cannot list folders: {listing.problem}. Its build has no file-system shell (as <code>fieldline sim --no-fs-shell</code>). Type a
          file&apos;s path below to download or hash it.
        </p>
      )}
      {listing?.state === 'failed' && (
        <p role="status" data-testid="console-list-failed">
          <code>{listing.problem}</code>
        </p>
      )}
      {listing?.state === 'listed' && (
        <ul className="file-list" data-testid="console-entries" aria-label={`Files in ${listing.path}`}>
          {listing.entries.length === 0 && <li className="empty">Empty folder.</li>}
          {listing.entries.map((entry) => (
            <li key={entry.name}>
              <button
                type="button"
                className="button-quiet"
                data-testid={`console-entry-${entry.name}`}
                onClick={() => (entry.dir ? list(childPath(listing.path, entry.name)) : setFile(childPath(listing.path, entry.name)))}
              >
                {entry.name}
                {entry.dir ? '/' : ''}
              </button>
            </li>
          ))}
        </ul>
      )}

      <form className="form form-inline" onSubmit={(event) => event.preventDefault()}>
        <div className="field">
          <label htmlFor="console-file">File</label>
          <input id="console-file" type="text" className="mono" value={file} placeholder="/lfs/config/site.json" data-testid="console-file" onChange={(e) => setFile(e.target.value)} />
        </div>
        <button type="button" disabled={busy || !file.startsWith('/')} onClick={download} data-testid="console-download">
          Download
        </button>
        <button type="button" disabled={busy || !file.startsWith('/')} onClick={hashIt} data-testid="console-hash">
          Hash
        </button>
      </form>
      {hash && (
        <p data-testid="console-hash-result">
          <code>{hash.output}</code> {hash.path} ({hash.type}, {hash.len} bytes)
        </p>
      )}
      {note && (
        <p role="status" className="muted" data-testid="console-file-note">
          {note}
        </p>
      )}
    </div>
  );
}
