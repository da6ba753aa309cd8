/**
 * Image slots with MCUboot's test / confirm / erase by hand. Erase asks first: it destroys the image in the slot.
 * Each action answers with the slots read back from the device, shown at once.
 */
import { useState, type JSX } from 'react';
import type { ConsoleSlot } from '../../../../../main/contract/api';
import { Dialog } from '../../../components/Dialog';
import type { ConsoleClient } from './console-client';
import { slotActions, type SlotAction } from './console-state';
import { useConsoleRead } from './useConsoleRead';

const WORDS: Record<SlotAction, string> = { test: 'Test', confirm: 'Confirm', erase: 'Erase…' };

function flags(slot: ConsoleSlot): string {
  const on = (['active', 'confirmed', 'pending', 'permanent', 'bootable'] as const).filter((k) => slot[k]);
  return on.length > 0 ? on.join(', ') : '—';
}

export function ImagesPanel({ client, shown }: { client: ConsoleClient; shown: boolean }): JSX.Element {
  const { value: slots, busy, load, set: setSlots, setBusy } = useConsoleRead(client, shown, 'Read image slots', 'console:images');
  const [erasing, setErasing] = useState<ConsoleSlot>();

  const act = (slot: ConsoleSlot, action: SlotAction): void => {
    setBusy(true);
    const request = action === 'erase' ? { action, slot: slot.slot } : { action, ...(slot.hash && !(action === 'confirm' && slot.active) ? { hash: slot.hash } : {}) };
    void client.run(`${WORDS[action].replace('…', '')} image slot ${slot.slot}`, 'console:image', request).then((r) => {
      setBusy(false);
      if (r.ok) setSlots(r.value);
    });
  };

  return (
    <div data-testid="console-images">
      <div className="actions">
        <button type="button" onClick={load} disabled={busy}>
          {busy ? 'Working…' : 'Refresh'}
        </button>
      </div>
      {slots && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Slot</th>
                <th scope="col">Version</th>
                <th scope="col">State</th>
                <th scope="col">Hash</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {slots.map((slot) => (
                <tr key={`${slot.image}-${slot.slot}`} data-testid={`console-slot-${slot.slot}`}>
                  <th scope="row">
                    {slot.image}/{slot.slot}
                  </th>
                  <td>{slot.version}</td>
                  <td>{flags(slot)}</td>
                  <td className="mono" title={slot.hash}>
                    {slot.hash ? `${slot.hash.slice(0, 12)}…` : '—'}
                  </td>
                  <td>
                    {slotActions(slot).map((action) => (
                      <button
                        key={action}
                        type="button"
                        className={action === 'erase' ? 'button-danger' : undefined}
                        disabled={busy}
                        data-testid={`console-slot-${slot.slot}-${action}`}
                        onClick={() => (action === 'erase' ? setErasing(slot) : act(slot, action))}
                      >
                        {WORDS[action]}
                      </button>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {erasing && (
        <Dialog title={`Erase slot ${erasing.slot}?`} onClose={() => setErasing(undefined)} testId="console-erase-confirm">
          <p>
            The image in slot {erasing.slot} (version {erasing.version}) is removed from the device. The running image is not touched. This is
            recorded in the audit log.
          </p>
          <div className="actions">
            <button
              type="button"
              className="button-danger"
              data-testid="console-erase-yes"
              onClick={() => {
                const slot = erasing;
                setErasing(undefined);
                act(slot, 'erase');
              }}
            >
              Erase slot {erasing.slot}
            </button>
            <button type="button" onClick={() => setErasing(undefined)}>
              Cancel
            </button>
          </div>
        </Dialog>
      )}
    </div>
  );
}
