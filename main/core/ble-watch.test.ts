import { describe, expect, it, vi } from 'vitest';
import { FieldlineError } from '../errors';
import { createLogger, type LogRecord } from '../log';
import type { WatchedPort } from '../station/port-watch';
import { fakePortWatch } from '../testing/fake-port-watch';
import type { BleGatewayInfo, BleScanner } from './ble';
import { combineWatches, createBleWatch } from './ble-watch';
import { createDeviceDiscovery } from './devices';
import { createAppEvents } from './events';

/** vi.waitFor's default is 1 s, which a loaded CI can run out of: the wait only guards against a hang. */
const WAIT = { timeout: 10_000 };

const gw = (n: number, rssi = -60): BleGatewayInfo => ({ id: `c0000000000${n}`, address: `c0:00:00:00:00:0${n}`, name: `FL-0000000${n}`, rssi });

/** Discovery with a scanner whose next answers the test sets: `heard` is what every scan hears until changed. */
function setup(options: { forgetMs?: number } = {}) {
  const clock = { t: 0 };
  const state: { heard: BleGatewayInfo[]; error?: FieldlineError; scans: number } = { heard: [], scans: 0 };
  const scanner: BleScanner = {
    async scan(request) {
      state.scans += 1;
      clock.t += request.durationMs;
      if (state.error) throw state.error;
      for (const g of state.heard) request.onUpdate(g);
      return { adapter: 'virtual', gateways: [...state.heard] };
    },
  };
  const events = createAppEvents();
  const devices = createDeviceDiscovery({ events, logger: createLogger('test'), pollMs: 0, listPorts: async () => [], ble: scanner, now: () => clock.t, bleForgetMs: options.forgetMs ?? 10_000 });
  const logs: LogRecord[] = [];
  const watch = createBleWatch({ devices, events, logger: createLogger('ble', (r) => void logs.push(r)), scanMs: 500, pauseMs: 5, failedPauseMs: 5 });
  const seen: Array<[string, string]> = [];
  watch.on('attached', (p) => void seen.push(['attached', p.path]));
  watch.on('detached', (p) => void seen.push(['detached', p.path]));
  return { devices, watch, state, seen, logs, clock };
}

describe('the line’s Bluetooth watch', () => {
  it('attaches each gateway its scans hear as a fixed port named by its address, and detaches one nobody hears any more', async () => {
    const { watch, state, seen } = setup();
    state.heard = [gw(1)];
    await watch.start();
    await vi.waitFor(() => expect(seen).toEqual([['attached', 'c0:00:00:00:00:01']]), WAIT);
    expect(watch.list()).toEqual([{ path: 'c0:00:00:00:00:01', source: 'fixed' }]);
    state.heard = [gw(1), gw(2)];
    await vi.waitFor(() => expect(watch.list().map((p) => p.path)).toEqual(['c0:00:00:00:00:01', 'c0:00:00:00:00:02']), WAIT);
    // Gateway 1 is switched off: after bleForgetMs of scans without it, it is unplugged.
    state.heard = [gw(2)];
    await vi.waitFor(() => expect(seen).toContainEqual(['detached', 'c0:00:00:00:00:01']), WAIT);
    expect(watch.list().map((p) => p.path)).toEqual(['c0:00:00:00:00:02']);
    watch.stop();
  });

  it('lists at once the BLE gateways a scan on the Devices screen found before the line started', async () => {
    const { devices, watch, state, seen } = setup();
    state.heard = [gw(3)];
    await devices.scanBle();
    state.heard = [];
    await watch.start();
    expect(seen).toEqual([['attached', 'c0:00:00:00:00:03']]);
    watch.stop();
  });

  it('keeps scanning after a failure, says so once per reason, and stops scanning when stopped', async () => {
    const { watch, state, logs } = setup();
    state.error = new FieldlineError('BLE_ADAPTER_OFF', 'the Bluetooth adapter is switched off');
    await watch.start();
    await vi.waitFor(() => expect(state.scans).toBeGreaterThanOrEqual(4), WAIT);
    expect(logs.filter((l) => l.level === 'warn')).toHaveLength(1);
    expect(logs[0]?.fields?.['error']).toMatch(/switched off/);
    state.error = undefined;
    state.heard = [gw(4)];
    await vi.waitFor(() => expect(watch.list()).toHaveLength(1), WAIT);
    watch.stop();
    const after = state.scans;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(state.scans).toBeLessThanOrEqual(after + 1);
  });
});

describe('combineWatches', () => {
  it('is one watch: both lists, both event streams, one start and stop', async () => {
    const a = fakePortWatch();
    const { watch: ble, state } = setup();
    state.heard = [gw(5)];
    const both = combineWatches([a, ble]);
    const attached: WatchedPort[] = [];
    const off = both.on('attached', (p) => void attached.push(p));
    await both.start();
    a.plug({ path: '/dev/ttyACM0', source: 'usb', vid: '2fe3' });
    await vi.waitFor(() => expect(attached.map((p) => p.path).sort()).toEqual(['/dev/ttyACM0', 'c0:00:00:00:00:05']), WAIT);
    expect(both.list().map((p) => p.path).sort()).toEqual(['/dev/ttyACM0', 'c0:00:00:00:00:05']);
    off();
    a.plug({ path: '/dev/ttyACM1', source: 'usb', vid: '2fe3' });
    expect(attached).toHaveLength(2);
    both.stop();
  });
});
