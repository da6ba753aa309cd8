/** Statistics: every group the device names (up to a bound), each with its counters. */
import { CONSOLE_LIMITS, type ConsoleStats } from '../../contract/console';
import { LIMITS } from '../../contract/bounds';
import type { GatewaySession } from '../../device/session';
import { listStats, readStats } from '../../smp/groups/stats';
import { deviceName } from './text';

export async function readAllStats(session: GatewaySession): Promise<ConsoleStats> {
  const names = await listStats(session.client);
  const groups: ConsoleStats['groups'] = [];
  for (const name of names.slice(0, CONSOLE_LIMITS.statGroups)) {
    const counters = Object.entries(await readStats(session.client, name))
      .slice(0, CONSOLE_LIMITS.counters)
      .map(([counter, value]) => ({ name: deviceName(counter, LIMITS.name), value }));
    groups.push({ name: deviceName(name, LIMITS.name), counters });
  }
  return { groups, more: Math.max(0, names.length - CONSOLE_LIMITS.statGroups) };
}
