/**
 * What one tile of the operator view says (issue #17): a slot reduced to what an operator reads from 2 m — the
 * fixture position, one big verdict word, how far a run is, the step that failed — and which of Stop, Start, Retry
 * the tile offers. Pure, so the rules are tested as data; OperatorView renders it.
 */
import type { SlotInfo, StepName } from '../../../../../main/contract/api';
import type { FixtureLabels } from '../../../../../main/contract/fixtures';
import { STEP_LABEL } from '../../run/labels';
import { slotName } from '../format';

export type Verdict = 'PASS' | 'FAIL' | 'RUNNING' | 'WAITING' | 'SCAN' | 'STOPPED' | 'REMOVE';
export type TileAction = 'stop' | 'start' | 'retry';

export interface OperatorTile {
  readonly port: string;
  /** The fixture label from Settings, else the port's own name. */
  readonly name: string;
  /** Whether `name` is a fixture label (an unlabelled position shows its location, so it can be labelled). */
  readonly labelled: boolean;
  readonly location: string | undefined;
  readonly verdict: Verdict;
  /** The words under the verdict: the step under way, the step that failed, why it waits. */
  readonly detail: string | undefined;
  /** 0..1 while a run is under way and this window has heard of it. */
  readonly progress: number | undefined;
  readonly serial: string | undefined;
  readonly actions: readonly TileAction[];
}

/** The fixture label of a slot, by where it is plugged in; undefined when the position has none. */
export function fixtureLabelOf(slot: Pick<SlotInfo, 'location'>, labels: FixtureLabels): string | undefined {
  return slot.location === undefined ? undefined : labels[slot.location];
}

function verdictOf(slot: SlotInfo): Verdict {
  switch (slot.state) {
    case 'passed':
      return 'PASS';
    case 'failed':
      return 'FAIL';
    case 'remove-me':
      // Stopped by the operator (or cancelled with the line): the gateway is still in, waiting for Start.
      return slot.outcome === 'cancelled' ? 'STOPPED' : 'REMOVE';
    default:
      if (slot.queued) return slot.awaitingScan ? 'SCAN' : 'WAITING';
      return 'RUNNING';
  }
}

/** A step's words; a name this version does not know (a newer station's step) as sent. */
const stepWords = (name: string): string => (Object.hasOwn(STEP_LABEL, name) ? STEP_LABEL[name as StepName] : name);

function detailOf(slot: SlotInfo, verdict: Verdict): string | undefined {
  switch (verdict) {
    case 'FAIL':
      return slot.failedStep ? `failed at ${stepWords(slot.failedStep)}` : slot.error?.message;
    case 'RUNNING':
      return slot.currentStep ? STEP_LABEL[slot.currentStep] : 'starting';
    case 'PASS':
      return slot.previous ? 'passed earlier' : undefined;
    case 'SCAN':
      return 'scan its label';
    case 'WAITING':
      return 'waiting for a free run';
    case 'REMOVE':
      return slot.error?.message ?? 'ended without a verdict';
    case 'STOPPED':
      return 'stopped';
  }
}

function actionsOf(verdict: Verdict): TileAction[] {
  switch (verdict) {
    case 'RUNNING':
    case 'WAITING':
    case 'SCAN':
      return ['stop'];
    case 'FAIL':
      return ['retry'];
    case 'STOPPED':
    case 'REMOVE':
      return ['start'];
    case 'PASS':
      return [];
  }
}

export function operatorTile(slot: SlotInfo, labels: FixtureLabels, runProgress: number | undefined): OperatorTile {
  const label = fixtureLabelOf(slot, labels);
  const verdict = verdictOf(slot);
  return {
    port: slot.port,
    name: label ?? slotName(slot.port),
    labelled: label !== undefined,
    location: slot.location,
    verdict,
    detail: detailOf(slot, verdict),
    progress: verdict === 'RUNNING' ? runProgress : undefined,
    serial: slot.serial ?? slot.serialNumber,
    actions: actionsOf(verdict),
  };
}

const collator = new Intl.Collator(undefined, { numeric: true });

/**
 * The tiles' order: labelled positions first, by label (A1, A2, … A10, B1), as the fixture reads; the rest after,
 * by port. The order changes only when a slot appears or a label changes, never on a state change.
 */
export function tileOrder(slots: readonly Pick<SlotInfo, 'port' | 'location'>[], labels: FixtureLabels): string[] {
  const keyed = slots.map((s) => ({ port: s.port, label: fixtureLabelOf(s, labels) }));
  return keyed
    .sort((a, b) => {
      if (a.label !== undefined && b.label !== undefined) return collator.compare(a.label, b.label);
      if (a.label !== undefined) return -1;
      if (b.label !== undefined) return 1;
      return collator.compare(a.port, b.port);
    })
    .map((k) => k.port);
}

export type Tone = 'pass' | 'fail';

/**
 * The tones a slot change calls for: one when a slot reaches a verdict of a run this window has not sounded yet.
 * A slot that passed before this session (`previous`) and the slots present when the view opened make no sound.
 */
export function toneFor(before: SlotInfo | undefined, after: SlotInfo): Tone | undefined {
  if (after.previous || after.runId === undefined) return undefined;
  if (after.state !== 'passed' && after.state !== 'failed') return undefined;
  if (before && before.runId === after.runId && before.state === after.state) return undefined;
  return after.state === 'passed' ? 'pass' : 'fail';
}

/**
 * Columns of the tile grid on a landscape monitor: the tiles as large as they can be with every one on screen
 * (4 → 2×2, 8 → 4×2, 12 → 4×3, 16 → 4×4); the font sizes follow the rows (styles.css, --rows).
 */
export function gridColumns(count: number): number {
  if (count <= 3) return Math.max(count, 1);
  if (count === 4) return 2;
  if (count <= 6) return 3;
  if (count <= 16) return 4;
  if (count <= 30) return 6;
  return 8;
}
