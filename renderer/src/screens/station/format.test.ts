import { describe, expect, it } from 'vitest';
import { slot } from '../../testing/samples';
import { slotNote } from './format';

describe('slotNote', () => {
  it('says a slot waits for its label scan while it does, and no longer once its run started', () => {
    expect(slotNote(slot('/ports/GW1', { state: 'provisioning', queued: true, awaitingScan: true }))).toEqual({ kind: 'awaiting-scan', text: 'Waiting for label scan' });
    // Queued for a free run only: the badge ("Waiting") says it all.
    expect(slotNote(slot('/ports/GW1', { state: 'provisioning', queued: true }))).toBeUndefined();
    expect(slotNote(slot('/ports/GW1', { state: 'provisioning' }))).toBeUndefined();
  });

  it('says a passed slot passed earlier when the line did not provision it', () => {
    expect(slotNote(slot('/ports/GW2', { state: 'passed', previous: true }))).toEqual({ kind: 'passed-earlier', text: 'Passed earlier — not provisioned again' });
    expect(slotNote(slot('/ports/GW2', { state: 'passed' }))).toBeUndefined();
    expect(slotNote(slot('/ports/GW2', { state: 'failed' }))).toBeUndefined();
  });
});
