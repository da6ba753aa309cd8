/** OS info (os_mgmt "a"), MCUmgr params and the bootloader, as the device reports them. */
import type { JSX } from 'react';
import type { ConsoleClient } from './console-client';
import { useConsoleRead } from './useConsoleRead';

export function InfoPanel({ client, shown }: { client: ConsoleClient; shown: boolean }): JSX.Element {
  const { value: info, busy, load } = useConsoleRead(client, shown, 'Read device info', 'console:info');
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
