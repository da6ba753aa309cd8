import { describe, expect, it } from 'vitest';
import type { EventName } from '../contract/api';
import { FieldlineError } from '../errors';
import { createLogger } from '../log';
import type { BleGatewayInfo, BleScanner, BleScanRequest } from './ble';
import { createDeviceDiscovery } from './devices';
import { createAppEvents } from './events';

const A = { id: 'c0a1a2a3a4a5', address: 'c0:a1:a2:a3:a4:a5', name: 'FL-0000000A', rssi: -48 };
const B = { id: 'c0b1b2b3b4b5', address: 'c0:b1:b2:b3:b4:b5', name: 'FL-0000000B', rssi: -71 };

/** A scanner that plays scripted advertisements: each scan takes the next script from the list. */
function fakeScanner(scripts: Array<BleGatewayInfo[] | FieldlineError>, clock: { t: number }, stepMs = 100) {
  const requests: BleScanRequest[] = [];
  const control = { hold: false, release: () => {} };
  const scanner: BleScanner = {
    async scan(request) {
      requests.push(request);
      const script = scripts.shift() ?? [];
      if (script instanceof FieldlineError) throw script;
      const seen = new Map<string, BleGatewayInfo>();
      for (const info of script) {
        clock.t += stepMs;
        seen.set(info.id, info);
        request.onUpdate(info);
      }
      // Held open until the test lets it end (to check that a second caller joins it).
      if (control.hold) await new Promise<void>((resolve) => (control.release = resolve));
      return { adapter: 'virtual', gateways: [...seen.values()].sort((x, y) => y.rssi - x.rssi) };
    },
  };
  return { scanner, requests, control };
}

function setup(scripts: Array<BleGatewayInfo[] | FieldlineError>, options: { forgetMs?: number; rssiIntervalMs?: number } = {}) {
  const clock = { t: 1_000_000 };
  const events = createAppEvents();
  const seen: Array<[EventName, unknown]> = [];
  events.onAny((name, payload) => seen.push([name, payload]));
  const fake = fakeScanner(scripts, clock);
  const discovery = createDeviceDiscovery({
    events,
    logger: createLogger('test'),
    pollMs: 0,
    listPorts: async () => [],
    isPortPath: async () => false,
    ble: fake.scanner,
    now: () => clock.t,
    ...(options.forgetMs !== undefined ? { bleForgetMs: options.forgetMs } : {}),
    ...(options.rssiIntervalMs !== undefined ? { rssiIntervalMs: options.rssiIntervalMs } : {}),
  });
  return { discovery, seen, clock, fake };
}

describe('device discovery: Bluetooth LE', () => {
  it('lists each gateway a scan hears as ble:<address> with name and RSSI, strongest first in the answer', async () => {
    const { discovery, seen } = setup([[B, A, { ...B, rssi: -69 }]]);
    await discovery.start();
    const result = await discovery.scanBle(2000);
    expect(result.adapter).toBe('virtual');
    expect(result.devices.map((d) => d.id)).toEqual(['ble:c0:a1:a2:a3:a4:a5', 'ble:c0:b1:b2:b3:b4:b5']);
    expect(discovery.get('ble:c0:b1:b2:b3:b4:b5')).toEqual({
      id: 'ble:c0:b1:b2:b3:b4:b5',
      transport: 'ble',
      path: 'c0:b1:b2:b3:b4:b5',
      name: 'FL-0000000B',
      rssi: -69,
      manual: false,
      state: 'idle',
    });
    expect(seen.filter(([n]) => n === 'device:attached')).toHaveLength(2);
  });

  it('sends RSSI changes as device:rssi, at most one per gateway per interval, and the latest when the scan ends', async () => {
    const burst = [-50, -52, -52, -55, -58, -61].map((rssi) => ({ ...A, rssi }));
    // 100 ms between reports, 250 ms between events.
    const { discovery, seen } = setup([burst], { rssiIntervalMs: 250 });
    await discovery.scanBle(1000);
    const rssi = seen.filter(([n]) => n === 'device:rssi').map(([, p]) => (p as { rssi: number }).rssi);
    // -50 came with the attach; -52 at +100 ms is held back; -55 at +300 ms goes; -58 held; -61 flushed at the end.
    expect(rssi).toEqual([-55, -61]);
    expect(discovery.get('ble:c0:a1:a2:a3:a4:a5').rssi).toBe(-61);
  });

  it('does not drop BLE gateways on the serial port polls', async () => {
    const { discovery } = setup([[A]]);
    await discovery.start();
    await discovery.scanBle();
    await discovery.scan();
    expect(discovery.list().map((d) => d.id)).toEqual(['ble:c0:a1:a2:a3:a4:a5']);
  });

  it('drops a gateway nobody has heard for bleForgetMs at the end of a scan, unless it is in use', async () => {
    const { discovery, seen, clock } = setup([[A, B], [], []], { forgetMs: 10_000 });
    await discovery.scanBle();
    clock.t += 5_000;
    await discovery.scanBle();
    // Not heard in this scan, but heard 5 s ago: kept.
    expect(discovery.list()).toHaveLength(2);
    const release = discovery.claim('ble:c0:a1:a2:a3:a4:a5', 'provisioning');
    clock.t += 20_000;
    await discovery.scanBle();
    // B is gone; A is connected (a connected gateway does not advertise) and stays.
    expect(discovery.list().map((d) => d.id)).toEqual(['ble:c0:a1:a2:a3:a4:a5']);
    expect(seen.filter(([n]) => n === 'device:detached')).toEqual([['device:detached', { id: 'ble:c0:b1:b2:b3:b4:b5' }]]);
    // Released after its run: it was just talked to, so it counts as heard now.
    release();
    expect(discovery.get('ble:c0:a1:a2:a3:a4:a5').state).toBe('idle');
  });

  it('a second caller joins the scan under way instead of starting another', async () => {
    const { discovery, fake } = setup([[A], []]);
    fake.control.hold = true;
    const first = discovery.scanBle();
    const second = discovery.scanBle();
    await Promise.resolve();
    fake.control.release();
    const [a, b] = await Promise.all([first, second]);
    expect(fake.requests).toHaveLength(1);
    expect(a).toBe(b);
  });

  it('bounds the duration and passes the scanner an abort signal that close() fires', async () => {
    let request: BleScanRequest | undefined;
    const events = createAppEvents();
    const discovery = createDeviceDiscovery({
      events,
      logger: createLogger('test'),
      pollMs: 0,
      listPorts: async () => [],
      ble: {
        scan: (r) => {
          request = r;
          return new Promise((_, reject) => r.signal?.addEventListener('abort', () => reject(new FieldlineError('CANCELLED', 'scan cancelled'))));
        },
      },
    });
    const scanning = discovery.scanBle(999_999);
    expect(request?.durationMs).toBe(30_000);
    discovery.close();
    await expect(scanning).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(discovery.scanBle()).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('passes the radio errors on as they are (the UI shows their words), and the next scan tries again', async () => {
    const { discovery } = setup([new FieldlineError('BLE_NO_ADAPTER', 'no hci0'), [A]]);
    await expect(discovery.scanBle()).rejects.toMatchObject({ code: 'BLE_NO_ADAPTER' });
    expect((await discovery.scanBle()).devices).toHaveLength(1);
  });

  it('without a scanner, a scan is BLE_NO_ADAPTER', async () => {
    const discovery = createDeviceDiscovery({ events: createAppEvents(), logger: createLogger('test'), pollMs: 0, listPorts: async () => [] });
    await expect(discovery.scanBle()).rejects.toMatchObject({ code: 'BLE_NO_ADAPTER' });
  });

  it('cleans what came over the air: control characters out of names and addresses, RSSI clamped to the contract', async () => {
    const { discovery } = setup([
      [
        { id: 'x', address: 'c0:11:22:33:44:55\u0007', name: 'FL-\u001b[31mRED', rssi: -300 },
        { id: 'y', address: '', name: '\u0000\u0001', rssi: Number.NaN },
        { id: 'z', address: 'c0:aa:aa:aa:aa:aa', name: 'FL-OK', rssi: 99.4 },
      ],
    ]);
    await discovery.scanBle();
    const byId = new Map(discovery.list().map((d) => [d.id, d]));
    expect(byId.get('ble:c0:11:22:33:44:55')).toMatchObject({ name: 'FL-[31mRED', rssi: -127 });
    // No address (macOS hides them): noble's id names it; an empty name is no name.
    expect(byId.get('ble:y')).toMatchObject({ path: 'y', rssi: -127 });
    expect(byId.get('ble:y')?.name).toBeUndefined();
    expect(byId.get('ble:c0:aa:aa:aa:aa:aa')?.rssi).toBe(20);
  });

  it('forgetBle drops the gateways not in use (the adapter changed)', async () => {
    const { discovery } = setup([[A, B]]);
    await discovery.scanBle();
    const release = discovery.claim('ble:c0:b1:b2:b3:b4:b5', 'provisioning');
    discovery.forgetBle();
    expect(discovery.list().map((d) => d.id)).toEqual(['ble:c0:b1:b2:b3:b4:b5']);
    release();
  });
});
