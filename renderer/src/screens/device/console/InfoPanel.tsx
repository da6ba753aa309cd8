/** OS info (os_mgmt "a"), MCUmgr params and the bootloader, as the device reports them. */
import { useCallback, useState, type JSX } from 'react';
import type { ConsoleInfo } from '../../../../../main/contract/api';
import type { ConsoleClient } from './console-client';
import { useFirstShow } from './useFirstShow';

export function InfoPanel({ client, shown }: { client: ConsoleClient; shown: boolean }): JSX.Element {
  const [info, setInfo] = useState<ConsoleInfo>();
  const [busy, setBusy] = useState(false);
  const load = useCallback(() => {
    setBusy(true);
    void client.run('Read device info', 'console:info', {}).then((r) => {
      setBusy(false);
      if (r.ok) setInfo(r.value);
    });
  }, [client]);
  useFirstShow(shown, load);
  return (
    <div data-testid="console-info">
      <div className="actions">
        <button type="button" onClick={load} disabled={busy}>
          {busy ? 'Reading…' : 'Refresh'}
        </button>
      </div>
      {info && (
        <dl className="facts">
          <dt>OS</dt>
          <dd>
            <code data-testid="console-os">{info.os ?? 'not reported'}</code>
          </dd>
          <dt>MCUmgr buffers</dt>
          <dd data-testid="console-params">{info.params ? `${info.params.bufCount} × ${info.params.bufSize} bytes` : 'not reported'}</dd>
          <dt>Bootloader</dt>
          <dd>{info.bootloader ? `${info.bootloader.name ?? 'unnamed'}${info.bootloader.mode !== undefined ? `, mode ${info.bootloader.mode}` : ''}` : 'not reported'}</dd>
        </dl>
      )}
    </div>
  );
}
