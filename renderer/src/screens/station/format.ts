/** How the Station screen writes its figures: short, with units, a dash for "not yet". */
import type { SlotInfo } from '../../../../main/contract/api';

export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

/** Elapsed time as a clock: 0:07, 1:05, 1:02:03. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

export function formatShare(fraction: number | undefined): string {
  if (fraction === undefined || !Number.isFinite(fraction)) return '—';
  return `${(fraction * 100).toFixed(1)} %`;
}

export function formatPerHour(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return value >= 100 ? Math.round(value).toString() : value.toFixed(1);
}

/** A measured value: as many digits as it needs, no more than 4 significant ones. */
export function formatMeasure(value: number | undefined, unit?: string): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  const text = Math.abs(value) >= 1000 || Number.isInteger(value) ? String(Math.round(value * 100) / 100) : String(Number(value.toPrecision(4)));
  return unit ? `${text} ${unit}` : text;
}

/** A port path as a slot's name: its last part (ttyACM3, or the virtual gateway's serial). */
export function slotName(port: string): string {
  const parts = port.split(/[\\/]/).filter(Boolean);
  return parts.at(-1) ?? port;
}

export interface SlotNote {
  kind: 'awaiting-scan' | 'passed-earlier';
  text: string;
}

/** What a slot's card says under its state when the state alone would mislead: why it waits, why nothing ran. */
export function slotNote(slot: Pick<SlotInfo, 'state' | 'queued' | 'awaitingScan' | 'previous'>): SlotNote | undefined {
  if (slot.state === 'provisioning' && slot.queued && slot.awaitingScan) return { kind: 'awaiting-scan', text: 'Waiting for label scan' };
  if (slot.state === 'passed' && slot.previous) return { kind: 'passed-earlier', text: 'Passed earlier — not provisioned again' };
  return undefined;
}
