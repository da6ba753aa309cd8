/**
 * A gateway's page on a service visit: who it is, what needs doing and the actions that do it, drift against the
 * profile it was provisioned with and against the current release, its image slots and its history — and, as a
 * second tab, the device console for looking inside by hand.
 */
import type { JSX } from 'react';
import { inspectDevice } from '../../effects/device-page';
import { useDevice, useDevices } from '../../state/devices';
import { devicePageStore, useDevicePage, type PageTab } from '../../state/device-page';
import { usable, useProfiles } from '../../state/profiles';
import { ReplacePanel } from '../drift/ReplacePanel';
import { ScreenTitle } from '../ScreenTitle';
import { ActionsPanel, requestAction } from './ActionsPanel';
import { DeviceTabs } from './DeviceTabs';
import { DriftPanel } from './DriftPanel';
import { IdentityPanel } from './IdentityPanel';
import { SlotsPanel } from './SlotsPanel';
import { TimelinePanel } from './TimelinePanel';
import { TodoPanel } from './TodoPanel';

function Overview({ deviceId }: { deviceId: string }): JSX.Element {
  const inspection = useDevicePage((s) => (s.deviceId === deviceId ? s.inspection : undefined));
  const inspecting = useDevicePage((s) => s.inspecting);
  const busy = useDevicePage((s) => s.running !== undefined || s.inspecting);
  const basis = inspection?.basis?.profile;
  // The replacement's profile: the one the old unit was provisioned with, as this station's library offers it.
  const basisPath = useProfiles((s) => (basis ? s.list.find((p) => usable(p) && p.name === basis.name && p.version === basis.version)?.path : undefined));
  if (!inspection) {
    return <p className="empty">{inspecting ? 'Reading the device…' : 'The device could not be read (see the message above).'}</p>;
  }
  return (
    <>
      <IdentityPanel inspection={inspection} />
      <TodoPanel todos={inspection.todos} onAction={requestAction} busy={busy} />
      <ActionsPanel inspection={inspection} />
      <DriftPanel inspection={inspection} />
      <SlotsPanel slots={inspection.slots} />
      <TimelinePanel history={inspection.history} basisRunId={inspection.basis?.runId} />
      {/* Replacing needs a passed run of the old unit: its variables go to the new one. */}
      {inspection.basis && <ReplacePanel defaultOld={inspection.serial} defaultProfile={basisPath} />}
    </>
  );
}

export function DevicePage({ deviceId }: { deviceId: string }): JSX.Element {
  const device = useDevice(deviceId);
  const serial = useDevicePage((s) => (s.deviceId === deviceId ? s.inspection?.serial : undefined));
  const inspecting = useDevicePage((s) => s.inspecting);
  const tab = useDevicePage((s) => s.tab);
  // Until the device list is read, an unknown id is not yet a device that went away.
  const loaded = useDevices((s) => s.loaded);
  const gone = loaded && (!device || device.state === 'gone');
  return (
    <div data-testid="device-page" data-device-id={deviceId} data-inspected={serial !== undefined}>
      <ScreenTitle>Device {serial ?? device?.serial ?? device?.path ?? deviceId}</ScreenTitle>
      <div className="actions">
        <a className="button" href="#/drift">
          Back to Service visit
        </a>
        <button type="button" data-testid="device-refresh" disabled={inspecting || gone} onClick={() => void inspectDevice(deviceId)}>
          {inspecting ? 'Reading…' : 'Read again'}
        </button>
        {gone && (
          <span className="tone-warn" role="status" data-testid="device-gone">
            ⚠ The device is not connected: what is shown was read before it went.
          </span>
        )}
      </div>
      <DeviceTabs tab={tab} onTab={(t: PageTab) => devicePageStore.getState().showTab(t)} deviceId={deviceId} overview={<Overview deviceId={deviceId} />} />
    </div>
  );
}
