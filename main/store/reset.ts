/**
 * Starting a new store on purpose (`fieldline store reset`): the way out of STORE_MISSING and STORE_CORRUPT when no
 * backup is at hand. Only a store that cannot be used, or holds nothing, is replaced — a healthy store with runs is
 * refused, so the command can never be the way data is lost — and the old file is moved aside, never deleted.
 */
import { isFieldlineError, FieldlineError } from '../errors';
import { guard } from '../shared/sqlite';
import { storeFilePath } from './file';
import { holdsNothing, moveAside } from './marker';
import { openStore } from './store';

export interface ResetResult {
  file: string;
  /** What the store was: gone or emptied (STORE_MISSING), damaged (STORE_CORRUPT), or a store with nothing in it. */
  was: 'missing' | 'damaged' | 'empty';
  /** Where the old file was moved, when there was one. */
  movedTo?: string;
}

function stateOf(location: string): ResetResult['was'] {
  try {
    const store = openStore(location);
    try {
      if (holdsNothing(store.db)) return 'empty';
    } finally {
      store.close();
    }
  } catch (err) {
    if (isFieldlineError(err, 'STORE_MISSING')) return 'missing';
    if (isFieldlineError(err, 'STORE_CORRUPT')) return 'damaged';
    throw err;
  }
  const why = 'opens and holds runs: there is nothing to reset (move it away yourself if you really mean to)';
  throw new FieldlineError('INVALID_ARGUMENT', `${storeFilePath(location)} ${why}`);
}

export function resetStore(location: string, now = new Date()): ResetResult {
  const file = storeFilePath(location);
  const was = stateOf(location);
  // An empty store stays where it is: the next write marks it again.
  if (was === 'empty') return { file, was };
  return { file, was, ...guard(file, () => moveAside(file, now)) };
}
