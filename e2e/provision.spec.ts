/**
 * The newcomer's path (issue #5's done-when): on the Devices screen of a demo station, two clicks — Provision on a
 * virtual gateway, then Open run — and the run passes with every step passed.
 */
import { expect, test } from './fixtures';
import { STEP_ORDER, devicesReady, deviceRow, provisionAndOpenRun, step, waitForOutcome } from './support/ui';

test('provision a virtual gateway from the Devices screen with two clicks and watch it pass', async ({ ui }) => {
  const { page, station, screen } = ui;
  const gateway = station.gateways[0]!;
  await devicesReady(page, station.gateways.map((g) => g.port));
  await screen('devices');

  await provisionAndOpenRun(page, gateway.port);
  await expect(page.getByTestId('run-outcome')).toBeVisible();
  await screen('run-started');

  await waitForOutcome(page, 'passed');
  for (const name of STEP_ORDER) await expect(step(page, name), `step ${name}`).toHaveAttribute('data-state', 'passed');
  await expect(page.getByTestId('run-outcome')).toContainText('provisioned');
  await expect(page.getByTestId('run-diagnostics').locator('[data-passed="false"]')).toHaveCount(0);
  await expect(page.getByTestId('run-rollback')).toHaveCount(0);
  await screen('run-passed');

  await page.getByTestId('nav-devices').click();
  await expect(deviceRow(page, gateway.port)).toHaveAttribute('data-state', 'passed');
  await expect(deviceRow(page, gateway.port)).toHaveAttribute('data-serial', gateway.serial);
  await screen('devices-after');
});
