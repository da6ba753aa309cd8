/**
 * One virtual Zephyr gateway with MCUboot: the object the simulator runtime drives. It owns the state directory,
 * the group handlers and the counters; the runtime owns transport, framing, v1/v2 replies and faults.
 *
 * Requests are handled one at a time, as Zephyr's SMP work queue does, so pipelined uploads see the same ordering
 * a device gives them. boot() takes the same lock: call it once on start and again after every effects.reboot().
 */
import { silentLogger, type Logger } from '../../log';
import type { GroupHandler, SimEffects, SimReply, SimRequest } from '../handler';
import { resolveDeviceConfig, type DeviceConfig, type ResolvedDeviceConfig } from './config';
import { sleep, type DeviceContext } from './context';
import { createCounters, resetCounters, type StatsCounters } from './counters';
import { createEnumGroup } from './enum';
import { createFsGroup } from './fs';
import { createIdentityGroup } from './identity';
import { boot as bootImages, createImageGroup, type BootOutcome } from './image';
import { createOsGroup } from './os';
import { smpError, type DeviceGroupHandler } from './request';
import { createSettingsGroup } from './settings';
import { createShellGroup } from './shell';
import { createStatsGroup } from './stats';
import { DeviceState } from './state';

export type { DeviceConfig, ResolvedDeviceConfig } from './config';
export type { StatsCounters } from './counters';
export type { BootOutcome } from './image';
export type { DeviceGroupHandler } from './request';
export type { DeviceState } from './state';

export interface VirtualDevice {
  readonly config: ResolvedDeviceConfig;
  /** Handlers of every group the device registers, in Zephyr's registration order. */
  readonly handlers: readonly DeviceGroupHandler[];
  /** Shared with the runtime: it counts SMP traffic in `stats.smp`. Zeroed (in place) at every boot. */
  readonly stats: StatsCounters;
  readonly state: DeviceState;
  /**
   * Reset: waits the configured reboot delay, lets MCUboot swap or revert, and drops everything kept in RAM
   * (upload contexts, unsaved settings, counters, uptime). Resolves when the application answers again.
   */
  boot(): Promise<BootOutcome>;
  /** Routes a request to its group; an unknown group is smp-error ENOTSUP, as in Zephyr. */
  dispatch(request: SimRequest, effects: SimEffects): Promise<SimReply>;
}

export interface VirtualDeviceOptions {
  logger?: Logger;
  /** Host clock in ms; tests inject one to control uptime and the RTC. */
  now?: () => number;
}

/** A promise chain: each task starts when the previous one has settled. */
function createLock(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (task) => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}

export async function createVirtualDevice(
  config: DeviceConfig,
  stateDir: string,
  options: VirtualDeviceOptions = {},
): Promise<VirtualDevice> {
  const resolved = resolveDeviceConfig(config);
  const log = (options.logger ?? silentLogger).child(`gw-${resolved.serial}`);
  const now = options.now ?? Date.now;
  const state = await DeviceState.open(stateDir, resolved);
  const stats = createCounters();
  let bootedAt = now();

  const ctx: DeviceContext = {
    config: resolved,
    state,
    stats,
    log,
    now,
    uptimeMs: () => now() - bootedAt,
    sleep,
    async flashWrite(bytes) {
      await sleep((bytes / 1024) * resolved.delays.flashWritePerKiB);
      stats.flash.writes++;
      stats.flash.bytes_written += bytes;
    },
    async flashErase() {
      await sleep(resolved.delays.erase);
      stats.flash.erases++;
    },
  };

  const lock = createLock();
  const groups: DeviceGroupHandler[] = [];
  const register = (g: DeviceGroupHandler): void => {
    const wrapped: DeviceGroupHandler = {
      group: g.group,
      name: g.name,
      handlerCount: g.handlerCount,
      handle: (request, effects) => lock(() => g.handle(request, effects)),
    };
    if (g.onBoot) wrapped.onBoot = g.onBoot;
    groups.push(wrapped);
  };
  register(createOsGroup(ctx));
  register(createImageGroup(ctx).handler);
  register(createStatsGroup(ctx));
  register(createSettingsGroup(ctx).handler);
  register(createFsGroup(ctx));
  register(createShellGroup(ctx));
  register(createEnumGroup(() => groups));
  register(createIdentityGroup(ctx));

  return {
    config: resolved,
    handlers: groups,
    stats,
    state,
    boot: () =>
      lock(async () => {
        await sleep(resolved.delays.reboot);
        const outcome = await bootImages(ctx);
        for (const g of groups) g.onBoot?.();
        resetCounters(stats);
        bootedAt = now();
        log.info('booted', { outcome });
        return outcome;
      }),
    dispatch: (request, effects) => {
      const handler: GroupHandler | undefined = groups.find((g) => g.group === request.group);
      return handler ? handler.handle(request, effects) : Promise.resolve(smpError('ENOTSUP'));
    },
  };
}
