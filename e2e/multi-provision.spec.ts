/**
 * The Devices screen as a flashing tool (issue #17's done-when): three gateways ticked and provisioned with one click,
 * side by side, each row with its own bar fed by its run's progress events, full and coloured by its outcome at the
 * end; the gateway not ticked is left alone; the profile used stays the batch profile across a reload.
 */
import { expect, test } from './fixtures';
import { devicesReady, deviceRow, RUN_TIMEOUT_MS } from './support/ui';

test('Provision selected: three gateways at once, a progress bar per device in the list, the last profile kept', async ({ ui }) => {
  test.setTimeout(180_000);
  const { page, station, screen } = ui;
  const ports = station.gateways.map((g) => g.port);
  const chosen = station.gateways.slice(0, 3);
  const left = station.gateways[3]!;
  await devicesReady(page, ports);

  // Another profile than the preselected one, so that keeping it across the reload means something.
  const profile = page.getByTestId('batch-profile');
  const preselected = await profile.inputValue();
  const other = (await profile.locator('option').evaluateAll((options) => options.map((o) => (o as unknown as { value: string }).value))).find((v) => v !== '' && v !== preselected);
  expect(other, 'the demo offers a second usable profile').toBeDefined();
  await profile.selectOption(other!);

  for (const g of chosen) await deviceRow(page, g.port).getByTestId('device-select').check();
  const start = page.getByTestId('provision-selected');
  await expect(start).toHaveText('Provision selected (3)');
  await start.click();

  // Each chosen row has its bar at once; the runs move them from their own progress events.
  for (const g of chosen) await expect(deviceRow(page, g.port).getByTestId('device-run-progress')).toBeVisible();
  // Polled from the test, not with a string predicate in the page: that is eval'd there, and the renderer's CSP
  // (script-src 'self') refuses it.
  type Bar = { getAttribute(name: string): string | null };
  const midRun = (): Promise<boolean> =>
    page.getByTestId('device-run-progress').evaluateAll((bars) =>
      bars.some((b) => {
        const bar = b as unknown as Bar;
        const percent = Number(bar.getAttribute('data-percent'));
        return bar.getAttribute('data-outcome') === 'running' && percent > 0 && percent < 100;
      }),
    );
  await expect.poll(midRun, { timeout: RUN_TIMEOUT_MS, intervals: [25] }).toBe(true);
  await screen('devices-provision-selected-running');

  for (const g of chosen) {
    const row = deviceRow(page, g.port);
    await expect(row).toHaveAttribute('data-state', 'passed', { timeout: RUN_TIMEOUT_MS });
    await expect(row.getByTestId('device-run-progress')).toHaveAttribute('data-outcome', 'passed');
    await expect(row.getByTestId('device-run-progress')).toHaveAttribute('data-percent', '100');
    await expect(row.getByTestId('device-select')).not.toBeChecked();
  }
  // The gateway not ticked was not provisioned.
  await expect(deviceRow(page, left.port)).toHaveAttribute('data-state', 'idle');
  await expect(deviceRow(page, left.port).getByTestId('device-run-progress')).toHaveCount(0);
  await expect(start).toHaveText('Provision selected (0)');
  await screen('devices-provision-selected-done');

  // The last profile used is still the batch profile after a reload.
  await page.reload();
  await devicesReady(page, ports);
  await expect(profile).toHaveValue(other!);
});
