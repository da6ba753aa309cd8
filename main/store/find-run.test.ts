import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isFieldlineError } from '../errors';
import { sampleRunRecord } from '../testing/run-records';
import { findRun } from './find-run';
import { openStore, type SqliteStore } from './store';

let store: SqliteStore;
beforeEach(() => {
  store = openStore(':memory:');
  for (const id of ['3f2a-0001', '3f2a-0002', '9c1e-0001', '9c1e']) store.saveRun(sampleRunRecord({ id }));
});
afterEach(() => store.close());

function failure(idOrPrefix: string): string | undefined {
  try {
    findRun(store, idOrPrefix);
  } catch (err) {
    if (isFieldlineError(err)) return `${err.code}: ${err.message}`;
    throw err;
  }
  return undefined;
}

describe('findRun', () => {
  it('takes an exact id, even when it is also the prefix of another', () => {
    expect(findRun(store, '9c1e').id).toBe('9c1e');
  });

  it('takes a prefix that names one run', () => {
    expect(findRun(store, '3f2a-0002').id).toBe('3f2a-0002');
    expect(findRun(store, '9c1e-').id).toBe('9c1e-0001');
  });

  it('refuses an unknown id, an ambiguous prefix and an empty one', () => {
    expect(failure('ffff')).toBe('RUN_NOT_FOUND: ffff');
    expect(failure('3f2a')).toMatch(/^RUN_ID_AMBIGUOUS: "3f2a" could be 3f2a-000\d, 3f2a-000\d$/);
    expect(failure(' ')).toMatch(/^INVALID_ARGUMENT/);
  });
});
