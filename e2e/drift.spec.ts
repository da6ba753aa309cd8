/**
 * Service visit: a provisioned gateway whose setting was changed on the device (`fieldline smp settings set`, as
 * another tool would) shows that setting as drifted, golden vs device; Remediate, once confirmed in a dialog showing
 * the diff, writes the golden value back.
 */
import { expect, test } from './fixtures';
import { devicesReady, openScreen, provisionAndOpenRun, setDeviceSetting, waitForOutcome } from './support/ui';

const SETTING = 'fieldline/max_peers'; // gateway-eu.yaml: u8, golden value 8

test('the drift view shows a changed setting and Remediate clears it', async ({ ui }) => {
  const { page, station, screen } = ui;
  const gateway = station.gateways[2]!;
  await devicesReady(page, station.gateways.map((g) => g.port));
  await provisionAndOpenRun(page, gateway.port);
  await waitForOutcome(page, 'passed');

  await setDeviceSetting(gateway.port, SETTING, '3', 'u8');

  await openScreen(page, 'drift');
  const device = page.getByTestId('drift-device');
  const option = device.locator('option', { hasText: gateway.port });
  await expect(option).toHaveCount(1);
  await device.selectOption((await option.getAttribute('value')) ?? '');
  await expect(page.getByTestId('drift-profile')).not.toHaveValue('');
  await page.getByTestId('drift-check').click();

  const summary = page.getByTestId('drift-summary');
  await expect(summary).toHaveAttribute('data-count', '1');
  const row = page.getByTestId(`drift-diff-${SETTING}`);
  await expect(row).toBeVisible();
  await expect(row).toHaveAttribute('data-kind', 'setting');
  await expect(row).toHaveAttribute('data-fixable', 'true');
  // Cells: kind, golden, device, status (the row's name is its header cell).
  await expect(row.getByRole('cell').nth(1)).toHaveText('8');
  await expect(row.getByRole('cell').nth(2)).toHaveText('3');
  await screen('drift-found');

  // Remediate asks first, showing what it will write: the device's value and the golden one (issue #17).
  await page.getByTestId('drift-remediate').click();
  const dialog = page.getByTestId('remediate-confirm-dialog');
  await expect(dialog.getByTestId(`remediate-diff-${SETTING}`)).toContainText('3');
  await expect(dialog.getByTestId(`remediate-diff-${SETTING}`).getByRole('cell').nth(2)).toHaveText('8');
  await expect(page.getByTestId('drift-fix-result')).toHaveCount(0);
  await screen('remediate-confirm');
  await page.getByTestId('remediate-confirm').click();
  await expect(page.getByTestId('drift-fix-result')).toContainText('nothing remains');
  await page.getByTestId('drift-check').click();
  await expect(summary).toHaveAttribute('data-count', '0');
  await expect(page.getByTestId(`drift-diff-${SETTING}`)).toHaveCount(0);
  await screen('drift-remediated');
});
