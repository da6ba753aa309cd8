/** Enumeration group (10): which management groups the device supports. */
import { FieldlineError } from '../../errors';
import type { SmpClient } from '../client';
import { GROUP } from '../error-codes';
import { arrayField, mapValue, optionalBool, optionalText, optionalUint, uintField } from '../fields';

const G = GROUP.ENUM;

function uints(values: unknown[], what: string): number[] {
  return values.map((v) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new FieldlineError('SMP_MALFORMED', `${what}: not a group id`);
    return v;
  });
}

export async function groupCount(client: SmpClient): Promise<number> {
  return uintField(await client.read(G, 0), 'count', 'group count');
}

export async function listGroups(client: SmpClient): Promise<number[]> {
  return uints(arrayField(await client.read(G, 1), 'groups', 'group list'), 'group list');
}

export async function groupAt(client: SmpClient, index: number): Promise<{ group: number; end: boolean }> {
  const body = await client.read(G, 2, { index });
  return { group: uintField(body, 'group', 'group at index'), end: optionalBool(body, 'end', 'group at index') ?? false };
}

export interface GroupDetails {
  group: number;
  name?: string;
  handlers?: number;
}

export async function groupDetails(client: SmpClient, groups?: number[]): Promise<GroupDetails[]> {
  const body = await client.read(G, 3, groups ? { groups } : {});
  return arrayField(body, 'groups', 'group details').map((v, i) => {
    const g = mapValue(v, `group details ${i}`);
    const name = optionalText(g, 'name', 'group details');
    const handlers = optionalUint(g, 'handlers', 'group details');
    return { group: uintField(g, 'group', 'group details'), ...(name !== undefined ? { name } : {}), ...(handlers !== undefined ? { handlers } : {}) };
  });
}
