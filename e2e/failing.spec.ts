/** The demo's fourth gateway fails its selftest: the run view names the failed step and shows the rollback. */
import { expect, test } from './fixtures';
import { devicesReady, deviceRow, provisionAndOpenRun, step, waitForOutcome } from './support/ui';

test('a failing gateway shows its failed step and the rollback', async ({ ui }) => {
  const { page, station, screen } = ui;
  const failing = station.gateways[station.gateways.length - 1]!;
  await devicesReady(page, station.gateways.map((g) => g.port));

  await provisionAndOpenRun(page, failing.port);
  await waitForOutcome(page, 'failed');

  const outcome = page.getByTestId('run-outcome');
  await expect(outcome).toContainText('Failed at');
  await expect(outcome).toContainText('rolled back');
  // The step that failed says so, and the steps before it passed.
  await expect(step(page, 'diagnostics')).toHaveAttribute('data-state', 'failed');
  await expect(step(page, 'diagnostics').locator('.step-error')).toBeVisible();
  for (const name of ['identify', 'identity', 'configuration']) await expect(step(page, name), `step ${name}`).toHaveAttribute('data-state', 'passed');
  await expect(step(page, 'finalize')).not.toHaveAttribute('data-state', 'passed');
  // The diagnostic that failed, with the others passing.
  await expect(page.getByTestId('diag-selftest')).toHaveAttribute('data-passed', 'false');
  await expect(page.getByTestId('diag-temperature')).toHaveAttribute('data-passed', 'true');
  // What the rollback undid.
  const rollback = page.getByTestId('run-rollback');
  await expect(rollback).toBeVisible();
  await expect(rollback.getByTestId('rollback-action').first()).toBeVisible();
  await expect(rollback.locator('[data-testid="rollback-action"][data-outcome="failed"]')).toHaveCount(0);
  await expect(rollback.locator('[data-testid="rollback-action"][data-outcome="done"]').first()).toBeVisible();
  // Each action states what the device held when read back afterwards, not what was intended.
  const removal = rollback.getByTestId('rollback-action').filter({ hasText: 'remove file /lfs/config/site.json' });
  await expect(removal).toHaveAttribute('data-outcome', 'done');
  await expect(removal.getByTestId('rollback-verified')).toHaveText(' — device holds: not found');
  await expect(rollback.getByTestId('rollback-left-on-device')).toHaveCount(0);
  await screen('run-failed-rollback');

  await page.getByTestId('nav-devices').click();
  await expect(deviceRow(page, failing.port)).toHaveAttribute('data-state', 'failed');
  await screen('devices-failed');
});
