/**
 * A field-service visit in Chromium (issue #16): a provisioned gateway whose setting was changed on the device is
 * connected on the Service visit screen; its page shows its history (the provisioning run, from this station's store)
 * and the drift against the profile it was provisioned with — found from that history, not picked by hand. Remediate
 * asks first with the diff, writes the golden value back, and its service record appears in the timeline. The console
 * tab lists the device's files and runs a shell command.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { deviceRow, devicesReady, openScreen, provisionAndOpenRun, RUN_TIMEOUT_MS, selectOptionHolding, setDeviceSetting, waitForOutcome } from './support/ui';

const SETTING = 'fieldline/max_peers'; // gateway-eu.yaml: u8, golden value 8

/** A full-page screenshot of a scrolled page draws the sticky status bar mid-page: back to the top first. */
const top = (page: Page): Promise<void> => page.evaluate('window.scrollTo(0, 0)');

test('connect → the device page shows history and drift → remediate → the service record appears', async ({ ui }) => {
  const { page, station, screen } = ui;
  const gateway = station.gateways[1]!;
  await devicesReady(page, station.gateways.map((g) => g.port));
  await provisionAndOpenRun(page, gateway.port);
  await waitForOutcome(page, 'passed');
  await setDeviceSetting(gateway.port, SETTING, '3', 'u8');

  // Another batch profile now: the Service visit screen still offers the one the device was provisioned with (issue #17).
  await openScreen(page, 'devices');
  const batch = page.getByTestId('batch-profile');
  await selectOptionHolding(batch, 'gateway-inject');
  await openScreen(page, 'drift');
  const device = page.getByTestId('drift-device');
  await selectOptionHolding(device, gateway.port);
  await expect(page.getByTestId('drift-profile').locator('option:checked')).toHaveText(/gateway-eu/);
  await page.getByTestId('service-connect').click();

  const devicePage = page.getByTestId('device-page');
  await expect(devicePage).toHaveAttribute('data-inspected', 'true', { timeout: RUN_TIMEOUT_MS });
  await expect(page.getByTestId('nav-drift')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('device-serial')).toHaveText(gateway.serial);
  await expect(page.getByTestId('device-cert-subject')).toContainText(gateway.serial);
  await expect(page.getByTestId('device-cert-fingerprint')).toHaveText(/^[0-9a-f]{64}$/);
  await expect(page.getByTestId('device-cert-revoked').locator('[data-revoked]')).toHaveAttribute('data-revoked', 'false');
  await expect(page.getByTestId('device-slot').first()).toBeVisible();

  // History: the provisioning run, from this station's store.
  const entries = page.getByTestId('timeline-entry');
  await expect(entries).toHaveCount(1);
  await expect(entries.first()).toHaveAttribute('data-kind', 'run');
  await expect(entries.first()).toHaveAttribute('data-source', 'store');
  await expect(entries.first().getByTestId('timeline-source')).toContainText('This station');

  // Drift against the provisioned profile: the changed setting, and a to-do that says so.
  const drift = page.getByTestId('drift-provisioned');
  await expect(drift).toHaveAttribute('data-count', '1');
  await expect(drift.getByTestId(`drift-diff-${SETTING}`)).toBeVisible();
  await expect(page.getByTestId('device-todo').filter({ has: page.getByTestId('todo-remediate') })).toBeVisible();
  await top(page);
  await screen('device-page');

  // Remediate asks first, with the diff.
  await page.getByTestId('service-remediate').click();
  const dialog = page.getByTestId('remediate-confirm-dialog');
  const row = dialog.getByTestId(`remediate-diff-${SETTING}`);
  await expect(row.getByRole('cell').nth(1)).toHaveText('3');
  await expect(row.getByRole('cell').nth(2)).toHaveText('8');
  await screen('device-remediate-confirm');
  await page.getByTestId('remediate-confirm').click();

  const result = page.getByTestId('service-result');
  await expect(result).toHaveAttribute('data-outcome', 'passed', { timeout: RUN_TIMEOUT_MS });
  await expect(result).toHaveAttribute('data-action', 'remediate');
  await expect(result).toContainText('nothing remains');
  const recordId = (await result.getAttribute('data-run-id')) ?? '';

  // The service record, read back with the device: newest first in the timeline, and the drift gone.
  await expect(entries).toHaveCount(2);
  const service = page.locator(`[data-testid="timeline-entry"][data-run-id="${recordId}"]`);
  await expect(service).toHaveAttribute('data-kind', 'service');
  await expect(service).toHaveAttribute('data-action', 'remediate');
  await expect(service).toHaveAttribute('data-source', 'store');
  await expect(entries.first()).toHaveAttribute('data-run-id', recordId);
  await expect(drift).toHaveAttribute('data-count', '0');
  await top(page);
  await screen('device-remediated');

  // The console tab: the device's files through its file-system shell, and a shell command.
  await page.getByTestId('device-tab-console').click();
  const consolePanel = page.getByTestId('device-console');
  await expect(consolePanel).toHaveAttribute('data-device-id', (await devicePage.getAttribute('data-device-id')) ?? '');
  await consolePanel.getByTestId('console-tab-files').click();
  await consolePanel.getByTestId('console-entry-config').click();
  await expect(consolePanel.getByTestId('console-entry-site.json')).toBeVisible();
  await screen('device-console-files');
  await consolePanel.getByTestId('console-tab-shell').click();
  await consolePanel.getByTestId('console-shell-input').fill('kernel version');
  await consolePanel.getByTestId('console-shell-run').click();
  const entry = consolePanel.getByTestId('console-shell-entry').last();
  await expect(entry).toHaveAttribute('data-ret', '0');
  await expect(entry).toContainText('Zephyr version');
  await screen('device-console-shell');
});

test('a Devices row opens the page of a gateway never provisioned: no history, nothing to compare with, said so', async ({ ui }) => {
  const { page, station, screen } = ui;
  const gateway = station.gateways[0]!;
  await devicesReady(page, station.gateways.map((g) => g.port));
  await deviceRow(page, gateway.port).getByTestId('open-device-page').click();
  await expect(page.getByTestId('device-page')).toHaveAttribute('data-inspected', 'true', { timeout: RUN_TIMEOUT_MS });
  await expect(page.getByTestId('nav-drift')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('device-serial')).toHaveText(gateway.serial);
  await expect(page.getByTestId('timeline-empty')).toBeVisible();
  await expect(page.getByTestId('drift-provisioned-none')).toContainText('No passed provisioning run');
  await expect(page.getByTestId('device-todo')).toHaveAttribute('data-kind', 'no-basis');
  await expect(page.getByTestId('service-diagnose')).toBeDisabled();
  await screen('device-page-unprovisioned');
});

test('a gateway plugged in while the Service visit screen is open opens its page', async ({ ui }) => {
  const { page, station, screen } = ui;
  await devicesReady(page, station.gateways.map((g) => g.port));
  await openScreen(page, 'drift');
  await expect(page.getByTestId('device-page')).toHaveCount(0);

  // Plugged into the demo's hub (its ports directory), as a technician connects the unit on site.
  const [plugged] = await station.plug(1, 'F1E1D00000000301');
  await expect(page.getByTestId('device-page')).toHaveAttribute('data-inspected', 'true', { timeout: RUN_TIMEOUT_MS });
  await expect(page.getByTestId('device-serial')).toHaveText(plugged!.serial);
  expect(decodeURIComponent(new URL(page.url()).hash)).toBe(`#/service/serial:${plugged!.port}`);
  await screen('device-page-opened-on-plug-in');
});
