/**
 * Service visit: a technician replaces a provisioned gateway by another from the Service visit screen — the old
 * unit's serial taken from the drift check, the new unit picked from the list, the replacement confirmed in a
 * dialog. The answer says the old certificate was revoked, and the store links both units.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, SCREENS_DIR, test } from './fixtures';
import { ROOT } from './support/station';
import { devicesReady, openScreen, provisionAndOpenRun, waitForOutcome } from './support/ui';

const RUN_TIMEOUT_MS = 120_000;

test('a provisioned gateway is replaced from the Service visit screen', async ({ ui }) => {
  const { page, station, screen, shell } = ui;
  const [old, replacement] = [station.gateways[0]!, station.gateways[1]!];
  await devicesReady(page, station.gateways.map((g) => g.port));
  await provisionAndOpenRun(page, old.port);
  await waitForOutcome(page, 'passed');

  await openScreen(page, 'drift');
  const device = page.getByTestId('drift-device');
  const option = device.locator('option', { hasText: old.port });
  await device.selectOption((await option.getAttribute('value')) ?? '');
  await expect(page.getByTestId('drift-profile')).not.toHaveValue('');
  await page.getByTestId('drift-check').click();
  await expect(page.getByTestId('drift-summary')).toHaveAttribute('data-count', '0');

  // The unit just checked is the one offered for replacement; the new unit is picked from the list.
  await expect(page.getByTestId('replace-old')).toHaveValue(old.serial);
  const newUnit = page.getByTestId('replace-device');
  await expect(newUnit.locator('option', { hasText: old.port })).toHaveCount(0);
  await newUnit.selectOption((await newUnit.locator('option', { hasText: replacement.port }).getAttribute('value')) ?? '');
  await expect(page.getByTestId('replace-profile')).not.toHaveValue('');
  await page.getByTestId('replace-start').click();

  const dialog = page.getByTestId('replace-confirm-dialog');
  await expect(dialog).toContainText(old.serial);
  await expect(dialog).toContainText(replacement.port);
  await screen('replace-confirm');
  await page.getByTestId('replace-confirm').click();

  const result = page.getByTestId('replace-result');
  await expect(result).toHaveAttribute('data-replaced', 'true', { timeout: RUN_TIMEOUT_MS });
  await expect(result).toContainText(`${replacement.serial} replaces ${old.serial}`);
  await expect(result).toContainText('certificate revoked');
  await page.screenshot({ path: join(SCREENS_DIR, shell === 'web' ? 'replace.png' : `${shell}-replace.png`), fullPage: true });
  await screen('replace-done');

  // The new unit's report says what it replaced.
  await page.getByTestId('replace-report').click();
  const report = page.getByTestId('run-report-page');
  await expect(report).toContainText(`Replaces${old.serial} (its certificate revoked)`);
  await screen('replace-report');

  // The store's links, as `fieldline replacements` reads them on the station's data directory.
  const links = async (serial: string): Promise<unknown> => {
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/fieldline.js', 'replacements', serial, '--json'], {
      cwd: ROOT,
      env: { ...process.env, FIELDLINE_DATA_DIR: station.dataDir },
    });
    return JSON.parse(stdout.trim().split('\n').at(-1) ?? 'null');
  };
  expect(await links(old.serial)).toEqual({ serial: old.serial, replacedBy: replacement.serial });
  expect(await links(replacement.serial)).toEqual({ serial: replacement.serial, replaces: old.serial });
});
