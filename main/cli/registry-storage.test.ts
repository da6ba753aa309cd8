/** Where `fieldline registry …` keeps its data: --database, --db, FIELDLINE_REGISTRY_DB, then registry.db. */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registryStorage } from './registry';

const PG = 'postgres://reg:pw@db.example:5432/registry';

describe('registryStorage', () => {
  it('takes --database, else --db, else FIELDLINE_REGISTRY_DB, else registry.db in the current folder', () => {
    const env = { FIELDLINE_REGISTRY_DB: PG };
    expect(registryStorage({ database: PG }, {})).toEqual({ database: PG });
    expect(registryStorage({ db: 'x.db' }, env)).toEqual({ dbFile: resolve('x.db') });
    expect(registryStorage({}, env)).toEqual({ database: PG });
    expect(registryStorage({}, { FIELDLINE_REGISTRY_DB: 'shared.db' })).toEqual({ dbFile: resolve('shared.db') });
    expect(registryStorage({}, {})).toEqual({ dbFile: resolve('registry.db') });
  });

  it('refuses both at once, and a URL that is not PostgreSQL, naming it without its password', () => {
    expect(() => registryStorage({ db: 'x.db', database: PG }, {})).toThrow(/either --database URL .* or --db FILE/);
    for (const [opts, env] of [
      [{ database: 'mysql://reg:pw@db/registry' }, {}],
      [{ db: 'mysql://reg:pw@db/registry' }, {}],
      [{}, { FIELDLINE_REGISTRY_DB: 'mysql://reg:pw@db/registry' }],
    ] as const) {
      let message = '';
      try {
        registryStorage(opts, env);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/mysql:\/\/reg@db\/registry/);
      expect(message).not.toContain(':pw@');
    }
  });
});
