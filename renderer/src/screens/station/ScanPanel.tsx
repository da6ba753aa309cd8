/**
 * Barcodes: the scanner works on any screen while no text field has focus (effects/wedge.ts); this field takes a
 * label typed or scanned into it. Shown: where the next scan goes (the next gateway plugged in, or the chosen slot),
 * what the last scan bound or why it was refused, and the scans still waiting for a gateway.
 */
import { useState, type JSX } from 'react';
import { ErrorText } from '../../components/ErrorText';
import { formatTime } from '../../components/format';
import { sendScan } from '../../effects/line';
import { lineStore, useLine } from '../../state/line';
import type { ScanBindingInfo } from '../../../../main/contract/api';
import { slotName } from './format';

export function bindingText(binding: ScanBindingInfo): string {
  return binding.kind === 'serial' ? `serial ${binding.value}` : `${binding.name} = ${binding.value}`;
}

const where = (slot: string): string => (slot === 'next' ? 'the next gateway' : slotName(slot));

function LastScan(): JSX.Element | null {
  const last = useLine((s) => s.lastScan);
  if (!last) return null;
  if (last.error) {
    return (
      <div className="scan-result tone-bad" role="alert" data-testid="scan-result" data-ok="false">
        <span aria-hidden="true">✖ </span>
        <span>
          Scan “{last.text}” refused: <ErrorText error={last.error} />
        </span>
      </div>
    );
  }
  return (
    <p className="scan-result tone-ok" role="status" data-testid="scan-result" data-ok="true" data-slot={last.slot}>
      <span aria-hidden="true">✔ </span>
      {last.binding ? bindingText(last.binding) : last.text} bound to {where(last.slot ?? 'next')} at {formatTime(last.at)}
    </p>
  );
}

const NONE: readonly never[] = [];

function Pending(): JSX.Element | null {
  const pending = useLine((s) => s.status?.pendingScans ?? NONE);
  if (pending.length === 0) return null;
  return (
    <>
      <h3>Waiting for a gateway ({pending.length})</h3>
      <ul className="plain-list" data-testid="pending-scans">
        {pending.map((p) => (
          <li key={`${p.slot}|${p.at}|${bindingText(p.binding)}`} data-testid="pending-scan" data-slot={p.slot}>
            <span className="mono">{bindingText(p.binding)}</span> → {where(p.slot)}
          </li>
        ))}
      </ul>
    </>
  );
}

export function ScanPanel(): JSX.Element {
  const [text, setText] = useState('');
  const target = useLine((s) => s.target);
  const scanning = useLine((s) => s.scanning);
  const running = useLine((s) => Boolean(s.status?.running));
  return (
    <section className="panel" aria-labelledby="scan-title">
      <h2 id="scan-title">Scan labels</h2>
      <p className="scan-target" data-testid="scan-target" data-slot={target ?? 'next'}>
        Next scan goes to <strong>{target ? slotName(target) : 'the next gateway plugged in'}</strong>
        {target && (
          <button type="button" className="button-quiet" data-testid="scan-target-clear" onClick={() => lineStore.getState().toggleTarget(undefined)}>
            Back to next gateway
          </button>
        )}
      </p>
      <form
        className="form form-inline"
        onSubmit={(event) => {
          event.preventDefault();
          void sendScan(text).then((ok) => {
            if (ok) setText('');
          });
        }}
      >
        <div className="field">
          <label htmlFor="scan-field">Label text</label>
          <input
            id="scan-field"
            data-testid="scan-field"
            type="text"
            value={text}
            maxLength={512}
            spellCheck={false}
            autoComplete="off"
            aria-describedby="scan-help"
            onChange={(e) => setText(e.target.value)}
          />
          <span id="scan-help" className="field-help">
            A serial number, or a batch variable as NAME=value. With no field focused, the scanner works on its own.
          </span>
        </div>
        <button type="submit" data-testid="scan-submit" disabled={scanning || text.trim() === ''}>
          {scanning ? 'Binding…' : 'Bind scan'}
        </button>
      </form>
      {!running && <p className="field-help">Scans are bound once the line runs.</p>}
      <LastScan />
      <Pending />
    </section>
  );
}
