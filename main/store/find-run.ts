/**
 * A run by its id or the start of it, as a technician types it (`fieldline runs show 3f2a`, and the report command
 * after it): an exact id wins; otherwise the prefix must name exactly one run. And a device's last passed
 * provisioning run, where its golden configuration comes from.
 */
import { FieldlineError } from '../errors';
import type { RunRecord } from '../contract/run-record';
import type { Store } from './types';

/** How many candidates an ambiguous prefix lists. */
const SHOWN = 5;

export function findRun(store: Store, idOrPrefix: string): RunRecord {
  const wanted = idOrPrefix.trim();
  if (wanted === '') throw new FieldlineError('INVALID_ARGUMENT', 'give a run id (or its first characters)');
  const exact = store.getRun(wanted);
  if (exact) return exact;
  const matches = store.listRuns({ idPrefix: wanted, limit: SHOWN + 1 });
  const only = matches.length === 1 ? store.getRun(matches[0]!.id) : undefined;
  if (only) return only;
  if (matches.length === 0) throw new FieldlineError('RUN_NOT_FOUND', wanted, { id: wanted });
  const listed = matches.slice(0, SHOWN).map((m) => m.id).join(', ');
  throw new FieldlineError('RUN_ID_AMBIGUOUS', `"${wanted}" could be ${listed}${matches.length > SHOWN ? ', …' : ''}`, {
    id: wanted,
    candidates: matches.map((m) => m.id),
  });
}

/**
 * The device's newest passed provisioning run: where its golden configuration (profile, variables) comes from, for
 * drift and for a replacement. A field-service record (issue #16) is never it, however it ended.
 */
export function lastPassedRun(store: Pick<Store, 'listRuns' | 'getRun'>, serial: string): RunRecord | undefined {
  const [passed] = store.listRuns({ serial, kind: 'provisioning', outcome: 'passed', limit: 1 });
  return passed && store.getRun(passed.id);
}
