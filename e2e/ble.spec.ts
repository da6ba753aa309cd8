/**
 * Bluetooth LE from the Devices screen (issue #7's done-when): the demo station runs beside `fieldline sim --ble`
 * and reaches it through its virtual adapter (FIELDLINE_BLE_ADAPTER=virtual, FIELDLINE_BLE_SOCKET) — real noble, the
 * real BLE transport. A technician scans, sees the gateway with its name, address and signal strength next to the USB
 * ones, and provisions it with the same two clicks. Without a usable adapter the scan says so in words.
 */
import { join } from 'node:path';
import { expect, SCREENS_DIR, test } from './fixtures';
import { STEP_ORDER, deviceRow, devicesReady, provisionAndOpenRun, step, waitForOutcome } from './support/ui';

test.describe('with a virtual Bluetooth gateway', () => {
  test.use({ bleGateways: 1 });

  test('scan for Bluetooth gateways, see the gateway with its RSSI, provision it with two clicks', async ({ ui }) => {
    const { page, station, screen, shell } = ui;
    const gateway = station.ble?.gateways[0];
    expect(gateway, 'the demo station started a virtual BLE gateway').toBeDefined();
    const { address, name, serial } = gateway!;
    await devicesReady(page, station.gateways.map((g) => g.port));
    // Nothing is heard before a scan: BLE gateways are listed on demand, never by loading noble at start.
    await expect(deviceRow(page, address)).toHaveCount(0);

    await page.getByTestId('ble-scan').click();
    await expect(page.getByTestId('ble-scan-state')).toHaveAttribute('data-state', 'done');
    await expect(page.getByTestId('ble-scan-result')).toHaveAttribute('data-count', '1');
    const row = deviceRow(page, address);
    await expect(row).toHaveAttribute('data-transport', 'ble');
    await expect(row.getByTestId('device-transport')).toHaveText(/BLE/);
    await expect(row).toContainText(name);
    await expect(row).toContainText(address);
    // The simulator's gateways advertise between −40 and −84 dBm.
    await expect(row.getByTestId('device-rssi')).toHaveAttribute('data-rssi', /^-\d{2}$/);
    const rssi = Number(await row.getByTestId('device-rssi').getAttribute('data-rssi'));
    expect(rssi).toBeGreaterThanOrEqual(-90);
    expect(rssi).toBeLessThanOrEqual(-35);
    await expect(row.getByTestId('device-rssi')).toContainText(`${rssi} dBm`);
    // Next to the USB ones, which are still listed.
    for (const g of station.gateways) await expect(deviceRow(page, g.port)).toBeVisible();
    await page.screenshot({ path: join(SCREENS_DIR, shell === 'web' ? 'devices-ble.png' : `${shell}-devices-ble.png`), fullPage: true });
    await screen('devices-ble');

    await provisionAndOpenRun(page, address);
    await expect(page.getByTestId('run-facts')).toContainText(`Bluetooth LE ${address}`);
    await waitForOutcome(page, 'passed');
    for (const name of STEP_ORDER) await expect(step(page, name), `step ${name}`).toHaveAttribute('data-state', 'passed');
    await expect(page.getByTestId('run-rollback')).toHaveCount(0);
    await screen('run-passed');

    await page.getByTestId('nav-devices').click();
    await expect(deviceRow(page, address)).toHaveAttribute('data-state', 'passed');
    await expect(deviceRow(page, address)).toHaveAttribute('data-serial', serial);
    await screen('devices-after');
  });
});

test.describe('without a usable Bluetooth adapter', () => {
  // A virtual adapter with nothing behind it: the same answer on every machine, with or without Bluetooth.
  test.use({ stationEnv: { FIELDLINE_BLE_ADAPTER: 'virtual', FIELDLINE_BLE_SOCKET: '/nonexistent/fieldline-e2e-ble.sock' } });

  test('the scan says plainly why it cannot run, and how to fix it', async ({ ui }) => {
    const { page, station, screen } = ui;
    await devicesReady(page, station.gateways.map((g) => g.port));
    await page.getByTestId('ble-scan').click();
    const error = page.getByTestId('ble-scan-error');
    await expect(error).toHaveAttribute('data-code', 'BLE_VIRTUAL_UNREACHABLE');
    await expect(error).toContainText('No virtual Bluetooth gateways are running');
    await expect(error).toContainText('fieldline sim --ble');
    await expect(page.getByTestId('alert').filter({ hasText: 'Scan for Bluetooth gateways' })).toHaveAttribute('data-code', 'BLE_VIRTUAL_UNREACHABLE');
    // The USB gateways are untouched, and the button can be pressed again.
    for (const g of station.gateways) await expect(deviceRow(page, g.port)).toBeVisible();
    await expect(page.getByTestId('ble-scan')).toBeEnabled();
    await screen('ble-scan-error');
  });
});
