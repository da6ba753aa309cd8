/** Statistics group (2): named groups of counters. */
import type { SmpClient } from '../client';
import { GROUP } from '../error-codes';
import { arrayField, mapField } from '../fields';
import { FieldlineError } from '../../errors';

export async function listStats(client: SmpClient): Promise<string[]> {
  return arrayField(await client.read(GROUP.STATS, 1), 'stat_list', 'stat list').map((v) => {
    if (typeof v !== 'string') throw new FieldlineError('SMP_MALFORMED', 'stat list: entry is not a text string');
    return v;
  });
}

export async function readStats(client: SmpClient, name: string): Promise<Record<string, number>> {
  const fields = mapField(await client.read(GROUP.STATS, 0, { name }), 'fields', `stats ${name}`);
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (typeof v !== 'number') throw new FieldlineError('SMP_MALFORMED', `stats ${name}: ${k} is not a number`);
    out[k] = v;
  }
  return out;
}
