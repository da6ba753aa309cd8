/**
 * One gateway: who it is, its state, its run's step and progress, and the one-click Provision. Memoized by id and
 * subscribed to its own device and run only: a progress event for another device never re-renders this row.
 */
import { memo, type JSX } from 'react';
import { STEP_LOOK, DEVICE_LOOK, Badge } from '../../components/Badge';
import { formatPercent, formatRate } from '../../components/format';
import { Serial } from '../../components/Serial';
import { provision } from '../../effects/devices';
import { useDevice, useDevices } from '../../state/devices';
import { routeHash } from '../../state/nav';
import { useProfiles } from '../../state/profiles';
import { runFraction } from '../../state/run-progress';
import { useRun } from '../../state/runs';
import { selectable, selectionStore, useSelection } from '../../state/selection';
import { STEP_LABEL } from '../run/labels';
import { SignalStrength } from './SignalStrength';
import './device-select.css';

function RunCell({ runId }: { runId: string | undefined }): JSX.Element {
  const run = useRun(runId);
  if (!runId) return <div className="device-run" />;
  if (!run) {
    // A run from before this window opened: its record is read when opened.
    return (
      <div className="device-run">
        <a href={`#/runs/${runId}`} data-testid="open-run">
          Open run
        </a>
      </div>
    );
  }
  const step = run.currentStep ? run.steps[run.currentStep] : undefined;
  const running = run.outcome === 'running';
  const percent = Math.round(runFraction(run) * 100);
  // The link comes first, in every state of the cell: after the step name and progress (which change up to ten times a
  // second) it moved under the pointer, and was made anew when the run's first event arrived — a click could miss it.
  return (
    <div className="device-run">
      <a href={`#/runs/${runId}`} data-testid="open-run">
        Open run
      </a>
      {/* The whole run at a glance, as a flashing tool shows it: full and coloured by its outcome once it ended. */}
      <progress
        className={`device-run-bar outcome-${run.outcome}`}
        data-testid="device-run-progress"
        data-outcome={run.outcome}
        data-percent={percent}
        max={100}
        value={percent}
        aria-label={`Run ${running ? `${percent} % done` : run.outcome}`}
      />
      {running && step && (
        <span className="device-step" data-testid="device-step" data-step={step.name}>
          {STEP_LABEL[step.name]} <Badge look={STEP_LOOK[step.state]} />
        </span>
      )}
      {running && step?.fraction !== undefined && (
        <span className="device-progress">
          <progress max={1} value={step.fraction} aria-label={`${STEP_LABEL[step.name]} progress`} />
          <span>
            {formatPercent(step.fraction)}
            {step.bytesPerSecond !== undefined ? ` · ${formatRate(step.bytesPerSecond)}` : ''}
          </span>
        </span>
      )}
      {!running && run.error && <span className="device-error">{run.error.message}</span>}
    </div>
  );
}

/** The row's tick for Provision selected; a gateway that cannot start now cannot be ticked. */
function SelectBox({ id, busy, name }: { id: string; busy: boolean; name: string }): JSX.Element {
  const ticked = useSelection((s) => Boolean(s.ids[id]));
  return (
    <input
      type="checkbox"
      className="device-select"
      data-testid="device-select"
      aria-label={`Select ${name}`}
      checked={ticked && !busy}
      disabled={busy}
      onChange={(e) => selectionStore.getState().toggle(id, e.target.checked)}
    />
  );
}

export const DeviceRow = memo(function DeviceRow({ id }: { id: string }): JSX.Element | null {
  const device = useDevice(id);
  const starting = useDevices((s) => Boolean(s.starting[id]));
  const haveProfile = useProfiles((s) => s.choice.profilePath !== undefined);
  if (!device) return null;
  const ble = device.transport === 'ble';
  // Without a serial yet, the port's last part names it (a virtual gateway's pty path is long), or a BLE gateway's
  // advertised name; the path or address is below.
  const label = device.serial ?? (ble ? (device.name ?? device.path) : device.path.split(/[\\/]/).pop() || device.path);
  // The row's Provision and its tick follow one rule: what Provision selected would start.
  const busy = !selectable(device, starting);
  return (
    <li
      className={`device-row state-${device.state}${ble ? ' transport-ble' : ''}`}
      data-testid={`device-row-${device.key}`}
      data-state={device.state}
      data-serial={device.serial ?? ''}
      data-port={device.path}
      data-transport={device.transport}
    >
      <div className="device-who">
        <span className="device-serial">
          {ble && (
            // Words, not the Bluetooth rune: factory PCs often lack a font with it.
            <span className="transport-badge" data-testid="device-transport" title="Bluetooth LE">
              BLE
            </span>
          )}
          <SelectBox id={id} busy={busy} name={device.serial ?? device.name ?? device.path} />
          <Serial value={label} />
        </span>
        <span className="device-path">
          {ble ? (
            <>
              {device.serial && device.name ? `${device.name} · ` : ''}
              <span className="mono">{device.path}</span> · <SignalStrength rssi={device.rssi} />
            </>
          ) : (
            // A pty's path holds the gateway's serial: broken after a / or -, never inside it.
            <Serial value={device.path} />
          )}
          {device.manual ? ' · port added by hand' : ''}
          {device.vid && device.pid ? ` · ${device.vid}:${device.pid}` : ''}
          {' · '}
          <a href={routeHash({ screen: 'device', deviceId: id })} data-testid="open-device-page" aria-label={`Service page of ${device.serial ?? device.name ?? device.path}`}>
            Service page
          </a>
        </span>
      </div>
      <Badge look={DEVICE_LOOK[device.state]} testId="device-state" />
      <RunCell runId={device.lastRunId} />
      <button
        type="button"
        className="button-primary"
        data-testid="provision-button"
        aria-label={`Provision ${device.serial ?? device.name ?? device.path}`}
        disabled={busy || !haveProfile}
        onClick={() => void provision(id)}
      >
        {starting ? 'Starting…' : 'Provision'}
      </button>
    </li>
  );
});
