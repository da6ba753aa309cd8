/** The firmware image slots as MCUboot reports them: version, flags, hash. */
import type { JSX } from 'react';
import type { ServiceSlot } from '../../../../main/contract/service';
import { slotWords } from './format';

export function SlotsPanel({ slots }: { slots: readonly ServiceSlot[] }): JSX.Element {
  return (
    <section className="panel" aria-labelledby="device-slots-title">
      <h2 id="device-slots-title">Firmware slots</h2>
      {slots.length === 0 ? (
        <p className="empty">The device reported no image slots.</p>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="device-slots">
            <thead>
              <tr>
                <th scope="col">Slot</th>
                <th scope="col">Version</th>
                <th scope="col">State</th>
                <th scope="col">Hash</th>
              </tr>
            </thead>
            <tbody>
              {slots.map((s) => (
                <tr key={s.slot} data-testid="device-slot" data-slot={s.slot} data-active={String(s.active)}>
                  <th scope="row">{s.slot}</th>
                  <td className="mono">{s.version}</td>
                  <td>{slotWords(s)}</td>
                  <td className="mono">{s.hash ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
