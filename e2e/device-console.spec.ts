/**
 * The device console in Chromium (issue #16, part 4): on a connected gateway's page, the Console tab uploads a file,
 * lists the folder through the device's file-system shell (`fs ls`), downloads the file through the browser and
 * hashes it on the device; the image slots and a setting of the device's provisioning profile are read; the shell runs a command, shows its output as text, and gives it back with the up key.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { expect, test } from './fixtures';
import { devicesReady, openScreen, provisionAndOpenRun, RUN_TIMEOUT_MS, selectOptionHolding, waitForOutcome } from './support/ui';

const NOTES = Buffer.from('Visited 2026-12-07: antenna re-seated.\n');

test('the device console lists files and runs a shell command', async ({ ui }) => {
  const { page, station, screen } = ui;
  const gateway = station.gateways[0]!;
  await devicesReady(page, station.gateways.map((g) => g.port));
  await provisionAndOpenRun(page, gateway.port);
  await waitForOutcome(page, 'passed');

  // Connect on the Service visit screen: the device page opens; once it has read the device, the console is free to.
  await openScreen(page, 'drift');
  const device = page.getByTestId('drift-device');
  await selectOptionHolding(device, gateway.port);
  await page.getByTestId('service-connect').click();
  await expect(page.getByTestId('device-page')).toHaveAttribute('data-inspected', 'true', { timeout: RUN_TIMEOUT_MS });
  await page.getByTestId('device-tab-console').click();
  const panel = page.getByTestId('device-console');
  await expect(panel.getByTestId('console-os')).toContainText('Zephyr');

  // Files: the provisioned configuration folder is listed through `fs ls`; an upload lands in the folder shown.
  await panel.getByTestId('console-tab-files').click();
  await expect(panel.getByTestId('console-entry-config')).toBeVisible();
  await panel.getByTestId('console-upload').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: NOTES });
  await expect(panel.getByTestId('console-file-note')).toContainText('Uploaded /lfs/notes.txt');
  await panel.getByTestId('console-entry-notes.txt').click();
  await expect(panel.getByTestId('console-file')).toHaveValue('/lfs/notes.txt');

  const [download] = await Promise.all([page.waitForEvent('download'), panel.getByTestId('console-download').click()]);
  expect(download.suggestedFilename()).toBe('notes.txt');
  expect(await readFile(await download.path())).toEqual(NOTES);
  await panel.getByTestId('console-hash').click();
  await expect(panel.getByTestId('console-hash-result')).toContainText(createHash('sha256').update(NOTES).digest('hex'));
  await screen('device-console-files');

  // Image slots: the running image, confirmed, offers nothing to erase or test.
  await panel.getByTestId('console-tab-images').click();
  await expect(panel.getByTestId('console-slot-0')).toContainText('active, confirmed');
  await expect(panel.getByTestId('console-slot-0-erase')).toHaveCount(0);

  // Settings: a name of the profile the device was provisioned with brings its encoding; Get reads the golden value.
  await panel.getByTestId('console-tab-settings').click();
  await expect(panel.getByTestId('console-settings-basis')).toContainText('Names from gateway-eu 1.0.0');
  await panel.getByTestId('console-setting-name').fill('fieldline/max_peers');
  await expect(panel.getByTestId('console-setting-as')).toHaveValue('u8');
  await panel.getByTestId('console-setting-get').click();
  await expect(panel.getByTestId('console-setting-value')).toHaveValue('8');

  // Shell: a command runs once, its output shown as text; the up key brings it back.
  await panel.getByTestId('console-tab-shell').click();
  const input = panel.getByTestId('console-shell-input');
  await input.fill('fs ls /lfs');
  await input.press('Enter');
  const entry = panel.getByTestId('console-shell-entry').last();
  await expect(entry).toHaveAttribute('data-ret', '0');
  await expect(entry).toContainText('notes.txt');
  await expect(entry).toContainText('config/');
  await expect(input).toHaveValue('');
  await input.press('ArrowUp');
  await expect(input).toHaveValue('fs ls /lfs');
  await screen('device-console-shell');
});
