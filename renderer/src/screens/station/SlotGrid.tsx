/**
 * One card per slot (a watched port with a gateway in it): its state in colour, icon and words, the serial, the step
 * under way and for how long, the step that failed, what a scan bound to it, REMOVE ME when the gateway must come
 * out, and why a slot waits (for its label scan) or did not run (it passed earlier). Clicking a card chooses it for the next scan (clicking it again goes back to "next gateway"). Each card
 * selects its own slot, so a step change re-renders one card.
 */
import { memo, type JSX } from 'react';
import type { SlotInfo } from '../../../../main/contract/api';
import type { BadgeLook } from '../../components/Badge';
import { Badge } from '../../components/Badge';
import { Serial } from '../../components/Serial';
import { useNow } from '../../components/useNow';
import { lineStore, useLine, useSlot } from '../../state/line';
import { formatElapsed, formatMs, slotName, slotNote } from './format';

export const SLOT_LOOK: Record<string, BadgeLook> = {
  waiting: { icon: '⏸', label: 'Waiting', tone: 'idle' },
  'awaiting-scan': { icon: '⌨', label: 'Scan its label', tone: 'warn' },
  provisioning: { icon: '⟳', label: 'Provisioning', tone: 'busy' },
  passed: { icon: '✔', label: 'Passed', tone: 'ok' },
  failed: { icon: '✖', label: 'Failed', tone: 'bad' },
  'remove-me': { icon: '⏏', label: 'Remove me', tone: 'warn' },
};

/** The state a card shows: a queued slot is waiting (for a free run, or for its scan). */
export function slotLook(slot: SlotInfo): string {
  if (slot.state === 'provisioning' && slot.queued) return slot.awaitingScan ? 'awaiting-scan' : 'waiting';
  return slot.state;
}

function Elapsed({ slot }: { slot: SlotInfo }): JSX.Element | null {
  const running = slot.state === 'provisioning' && !slot.queued && slot.startedAt !== undefined;
  const now = useNow(1000, running);
  if (!slot.startedAt) return null;
  const end = slot.endedAt ? Date.parse(slot.endedAt) : now;
  const ms = end - Date.parse(slot.startedAt);
  if (!Number.isFinite(ms)) return null;
  return (
    <span className="slot-elapsed" data-testid="slot-elapsed">
      <span className="visually-hidden">{running ? 'running for ' : 'took '}</span>
      {running ? formatElapsed(ms) : formatMs(ms)}
    </span>
  );
}

function Bindings({ slot }: { slot: SlotInfo }): JSX.Element | null {
  const b = slot.bindings;
  if (!b || (b.serial === undefined && !b.variables)) return null;
  const parts = [...(b.serial !== undefined ? [`serial ${b.serial}`] : []), ...Object.entries(b.variables ?? {}).map(([k, v]) => `${k}=${v}`)];
  return (
    <span className="slot-binding" data-testid="slot-binding" data-serial={b.serial ?? ''}>
      <span aria-hidden="true">⌨ </span>
      Scanned: {parts.join(', ')}
    </span>
  );
}

const SlotCard = memo(function SlotCard({ port }: { port: string }): JSX.Element | null {
  const slot = useSlot(port);
  const chosen = useLine((s) => s.target === port);
  if (!slot) return null;
  const look = slotLook(slot);
  const note = slotNote(slot);
  const serial = slot.serial ?? slot.serialNumber;
  return (
    <li className={`slot-card state-${look}${chosen ? ' is-chosen' : ''}`} data-testid="slot-card" data-port={port} data-state={slot.state} data-look={look} data-serial={slot.serial ?? ''}>
      <button
        type="button"
        className="slot-pick"
        aria-pressed={chosen}
        title={chosen ? 'Chosen for the next scan — click again for the next gateway' : 'Choose this slot for the next scan'}
        onClick={() => lineStore.getState().toggleTarget(port)}
      >
        <span className="slot-head">
          <span className="slot-name" title={slotName(port) === port ? port : `${slotName(port)} — ${port}`}>
            <Serial value={slotName(port)} />
          </span>
          <Badge look={SLOT_LOOK[look]} testId="slot-state" />
        </span>
        {look === 'remove-me' && (
          <span className="slot-remove" data-testid="slot-remove-me">
            <span aria-hidden="true">⏏ </span>REMOVE ME — the run ended without a verdict
          </span>
        )}
        {note && (
          <span className={`slot-note note-${note.kind}`} data-testid="slot-note" data-kind={note.kind}>
            {note.text}
          </span>
        )}
        {/* A virtual gateway's slot is named after its serial: said once. */}
        {serial !== slotName(port) && (
          <span className="slot-serial" data-testid="slot-serial">
            {serial ? <Serial value={serial} /> : 'serial not known yet'}
          </span>
        )}
        <span className="slot-line">
          {slot.state === 'provisioning' && slot.currentStep && (
            <span className="slot-step" data-testid="slot-step">
              {slot.currentStep}
            </span>
          )}
          <Elapsed slot={slot} />
        </span>
        {slot.failedStep && (
          <span className="slot-failed" data-testid="slot-failed-step">
            <span aria-hidden="true">✖ </span>failed at {slot.failedStep}
            {slot.error ? ` — ${slot.error.message}` : ''}
          </span>
        )}
        {!slot.failedStep && slot.state === 'remove-me' && slot.error && <span className="slot-failed">{slot.error.message}</span>}
        <Bindings slot={slot} />
        {slot.label && (
          <span className={`slot-label${slot.label.error ? ' tone-bad' : ''}`} data-testid="slot-label">
            {slot.label.error ? `Label not printed: ${slot.label.error.message}` : 'Label printed'}
          </span>
        )}
        {chosen && (
          <span className="slot-chosen" data-testid="slot-chosen">
            <span aria-hidden="true">◎ </span>Next scan goes here
          </span>
        )}
      </button>
      {slot.runId && (
        <a className="slot-run" href={`#/runs/${slot.runId}`} data-testid="slot-open-run">
          Open run
        </a>
      )}
    </li>
  );
});

export function SlotGrid(): JSX.Element {
  const order = useLine((s) => s.order);
  const running = useLine((s) => Boolean(s.status?.running));
  return (
    <section className="panel" aria-labelledby="slots-title">
      <h2 id="slots-title">Slots ({order.length})</h2>
      {order.length === 0 ? (
        <p className="empty" data-testid="slot-grid-empty">
          {running ? 'Waiting for gateways: plug one in.' : 'The line is stopped. Start it to provision every gateway plugged in.'}
        </p>
      ) : (
        <ul className="slot-grid" data-testid="slot-grid" aria-label="Slots">
          {order.map((port) => (
            <SlotCard key={port} port={port} />
          ))}
        </ul>
      )}
    </section>
  );
}
