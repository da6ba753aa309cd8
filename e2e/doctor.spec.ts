/**
 * The Doctor screen (issue #17): every check of this machine with its state, what it found and the fix; the
 * registry stopped makes a check fail, which the banner above every screen announces with a link back here, and
 * the registry started again clears it.
 */
import { expect, test } from './fixtures';
import { openScreen } from './support/ui';

test('Doctor: each check with what it found and the fix; a failing check raises the banner', async ({ ui }) => {
  const { page, station, screen } = ui;
  await openScreen(page, 'doctor');
  const list = page.getByTestId('doctor-list');
  await expect(list).toBeVisible({ timeout: 15_000 });
  // The demo station's registry answers and accepts the token; the data directory is writable.
  await expect(page.getByTestId('doctor-check-registry.reachable')).toHaveAttribute('data-status', 'pass');
  await expect(page.getByTestId('doctor-check-registry.token')).toHaveAttribute('data-status', 'pass');
  await expect(page.getByTestId('doctor-check-data.writable')).toContainText(station.dataDir);
  await expect(page.getByTestId('doctor-check-serial.windows-drivers')).toContainText('not checked on this OS');
  await expect(page.getByTestId('doctor-summary')).toContainText(/\d+ OK/);
  await screen('doctor');

  await station.registry('registry-stop');
  await page.getByTestId('doctor-run').click();
  const reachable = page.getByTestId('doctor-check-registry.reachable');
  await expect(reachable).toHaveAttribute('data-status', 'fail', { timeout: 15_000 });
  await expect(reachable).toContainText('Fix:');
  // Failures come first: a to-do list.
  await expect(list.locator('li').first()).toHaveAttribute('data-status', 'fail');
  await screen('doctor-failing');

  // On any other screen the banner says so and links back.
  await openScreen(page, 'devices');
  const banner = page.getByTestId('doctor-banner');
  await expect(banner).toContainText('Registry reachable');
  await screen('doctor-banner');
  await page.getByTestId('doctor-banner-link').click();
  await expect(page.getByTestId('nav-doctor')).toHaveAttribute('aria-current', 'page');

  await station.registry('registry-start');
  await page.getByTestId('doctor-run').click();
  await expect(reachable).toHaveAttribute('data-status', 'pass', { timeout: 15_000 });
  await openScreen(page, 'devices');
  await expect(banner).toHaveCount(0);
});
