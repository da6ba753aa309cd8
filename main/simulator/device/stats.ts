/**
 * Statistics group (2), after Zephyr's stat_mgmt.c: group data (0) and the list of groups (1). The counters are the
 * device's shared StatsCounters; `net` also advances with uptime, so a healthy link looks alive when polled twice.
 */
import { GROUP } from '../../smp/error-codes';
import type { DeviceContext } from './context';
import type { StatsCounters } from './counters';
import { defineGroup, groupErrors, ok, text, type DeviceGroupHandler } from './request';

const err = groupErrors(GROUP.STATS);

/** Background traffic of the modem link since boot: a keep-alive every 5 s each way. */
function tickNet(ctx: DeviceContext): void {
  const beats = Math.floor(ctx.uptimeMs() / 5000);
  const net = ctx.stats.net;
  net.rx_packets = Math.max(net.rx_packets, beats);
  net.tx_packets = Math.max(net.tx_packets, beats);
  net.rx_bytes = Math.max(net.rx_bytes, beats * 64);
  net.tx_bytes = Math.max(net.tx_bytes, beats * 48);
}

export function createStatsGroup(ctx: DeviceContext): DeviceGroupHandler {
  const groups = (): StatsCounters => ctx.stats;
  return defineGroup({
    group: GROUP.STATS,
    name: 'stat mgmt',
    commands: {
      0: {
        read: ({ body }) => {
          const name = text(body, 'name');
          const all = groups();
          if (!Object.prototype.hasOwnProperty.call(all, name)) return err('INVALID_GROUP');
          if (name === 'net') tickNet(ctx);
          return ok({ name, fields: { ...all[name as keyof StatsCounters] } });
        },
      },
      1: { read: () => ok({ stat_list: Object.keys(groups()) }) },
    },
  });
}
