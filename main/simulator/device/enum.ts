/**
 * Enumeration group (10), after Zephyr's enum_mgmt.c: count (0), list (1), single (2), details (3) of the groups
 * this device registers, in registration order.
 */
import { GROUP } from '../../smp/error-codes';
import { defineGroup, groupErrors, ok, optUint, optUintArray, type DeviceGroupHandler } from './request';

const err = groupErrors(GROUP.ENUM);

/** `groups` is read at each request, so the enumeration group can list itself. */
export function createEnumGroup(groups: () => readonly DeviceGroupHandler[]): DeviceGroupHandler {
  return defineGroup({
    group: GROUP.ENUM,
    name: 'enum mgmt',
    commands: {
      0: { read: () => ok({ count: groups().length }) },
      1: { read: () => ok({ groups: groups().map((g) => g.group) }) },
      2: {
        read: ({ body }) => {
          const index = optUint(body, 'index') ?? 0;
          const all = groups();
          const found = all[index];
          if (!found) return err('INDEX_TOO_LARGE');
          return ok(index === all.length - 1 ? { group: found.group, end: true } : { group: found.group });
        },
      },
      3: {
        read: ({ body }) => {
          const wanted = optUintArray(body, 'groups');
          // Ids the device does not have are left out, not refused.
          const chosen = groups().filter((g) => !wanted || wanted.includes(g.group));
          return ok({ groups: chosen.map((g) => ({ group: g.group, name: g.name, handlers: g.handlerCount })) });
        },
      },
    },
  });
}
