/**
 * No network: the registry stops, a gateway is provisioned anyway and its record waits in the queue; the registry
 * comes back and the queue drains to 0 by itself (the demo station retries within 5 s).
 */
import { expect, test } from './fixtures';
import { countOf, devicesReady, openScreen, provisionAndOpenRun, waitForOutcome } from './support/ui';

test('offline: the queue grows while the registry is down and drains when it is back', async ({ ui }) => {
  const { page, station, screen, shell } = ui;
  const gateway = station.gateways[1]!;
  await devicesReady(page, station.gateways.map((g) => g.port));

  await openScreen(page, 'queue');
  const pending = page.getByTestId('queue-pending');
  await expect(pending).toHaveText(/^\d+$/);
  const before = await countOf(pending);
  await screen('queue-online');

  await station.registry('registry-stop');
  await openScreen(page, 'devices');
  await provisionAndOpenRun(page, gateway.port);
  await waitForOutcome(page, 'passed');

  await openScreen(page, 'queue');
  await expect.poll(() => countOf(pending), { message: 'the pending count grows', timeout: 20_000 }).toBeGreaterThan(before);
  await expect(page.getByTestId('online-state')).toHaveAttribute('data-online', 'false', { timeout: 20_000 });
  await expect(page.getByTestId('queue-online')).toContainText('Offline');
  await expect(page.getByTestId('status-queue')).not.toHaveText('0');
  await screen('queue-offline');

  await station.registry('registry-start');
  // The desktop app keeps its default back-off (minutes); the demo station's is 5 s. Sync now is what a technician
  // would press there.
  if (shell === 'electron') await page.getByTestId('queue-sync-now').click();
  await expect(pending).toHaveText('0', { timeout: 30_000 });
  await expect(page.getByTestId('online-state')).toHaveAttribute('data-online', 'true');
  await expect(page.getByTestId('queue-online')).toContainText('Online');
  await expect(page.getByTestId('status-queue')).toHaveText('0');
  await screen('queue-drained');
});
