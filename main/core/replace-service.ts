/**
 * Device replacement for the UI (replace:start): the same functions `fieldline replace` uses
 * (main/provisioning/replace.ts), on a device of the station's list. The new unit is claimed for the whole
 * replacement, so no run or drift check talks to it meanwhile; the answer comes when the replacement has ended.
 */
import type { ReplacementInfo } from '../contract/replace';
import { prepareTarget } from '../device/target';
import type { Logger } from '../log';
import { checkNewUnit, planReplacement, replaceDevice } from '../provisioning/replace';
import type { Store } from '../store/types';
import type { BleRadios } from '../transport/ble/noble';
import { targetOf, type BleConfig } from './ble';
import type { RunFunction } from './runner';
import type { CaHolder } from './ca';
import type { DeviceDiscovery } from './devices';
import type { ProfileLibrary } from './profiles';
import { auditUnreleased } from './release-gate';

export interface ReplaceService {
  /** `actor`: `operator:NAME` from the core's permission check; default the settings operator. */
  replace(request: { oldSerial: string; deviceId: string; profilePath: string; actor?: string; allowUnreleased?: boolean }): Promise<ReplacementInfo>;
}

export interface ReplaceServiceOptions {
  devices: DeviceDiscovery;
  profiles: ProfileLibrary;
  store: Store;
  ca: CaHolder;
  /** Starts the new unit's run: the core's runner. */
  run: RunFunction;
  station: { name: string };
  operator: () => string;
  logger: Logger;
  baudRate?: number;
  timeoutMs?: number;
  rebootTimeoutMs?: number;
  ble?: () => BleConfig;
  /** Whose noble instances BLE gateways are reached through: the core's (main/core/core.ts). */
  radios: BleRadios;
}

export function createReplaceService(options: ReplaceServiceOptions): ReplaceService {
  const { devices, store } = options;
  return {
    async replace(request) {
      // The release gate first: a profile this station may not use is the answer, whatever the device.
      const { profile, ...verdict } = await options.profiles.loadForRun(request.profilePath, { allowUnreleased: request.allowUnreleased ?? false });
      const device = devices.get(request.deviceId);
      // Every refusal before the device is claimed: a locked CA, an old unit with no passed run or already replaced.
      const signer = await options.ca.signer();
      const plan = planReplacement(store, request.oldSerial);
      const target = targetOf(device, { ble: options.ble, baudRate: options.baudRate });
      await prepareTarget(target, options.radios, options.logger);
      const release = devices.claim(device.id, 'provisioning');
      let shownBusy = false;
      try {
        const actor = request.actor ?? `operator:${options.operator()}`;
        store.appendAudit({ actor, action: 'ui.replace', subject: plan.oldSerial, details: { device: device.path } });
        auditUnreleased(store, { actor, profile, verdict, command: 'replace' });
        const newSerial = await checkNewUnit(target, profile, plan, { logger: options.logger, radios: options.radios, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
        devices.setState(device.id, 'provisioning', { serial: newSerial });
        shownBusy = true;
        const result = await replaceDevice({
          plan,
          target,
          profile,
          signer,
          store,
          run: options.run,
          station: options.station,
          actor: request.actor,
          ...(verdict.release ? { release: verdict.release } : {}),
          logger: options.logger,
          ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
          ...(options.rebootTimeoutMs ? { rebootTimeoutMs: options.rebootTimeoutMs } : {}),
        });
        const { record } = result;
        shownBusy = false;
        devices.setState(device.id, record.outcome === 'passed' ? 'passed' : 'failed', { lastRunId: record.id, serial: record.device.serial || newSerial });
        return {
          runId: record.id,
          outcome: record.outcome,
          oldSerial: plan.oldSerial,
          newSerial: record.device.serial || newSerial,
          replaced: result.replaced,
          revoked: result.revoked,
          ...(result.problem ? { problem: result.problem } : {}),
        };
      } catch (err) {
        if (shownBusy) devices.setState(device.id, 'failed');
        throw err;
      } finally {
        release();
      }
    },
  };
}
