/**
 * The polish items of issue #17, each shown fixed in Chromium with a screenshot in test-results/screens:
 * serials never broken mid-word; no "typed port"; a passed run leads with its report, not Retry; the Add port error
 * inside its dialog; a failed run's revoked certificate said with reason and time (run view and report); the Runs
 * screen filtered and exported as CSV; the Queue screen listing the runs that wait; Settings refusing to save a
 * registry that does not answer.
 */
import { readFile } from 'node:fs/promises';
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { devicesReady, deviceRow, openScreen, provisionAndOpenRun, waitForOutcome } from './support/ui';

/**
 * No word of the serial is broken across lines: each piece between separators (a text node of components/Serial.tsx)
 * lies on one line box — a piece split by a line break has two client rects. Returns the pieces, for the caller to
 * check that all of the serial is there.
 */
async function expectNoWordBroken(locator: Locator): Promise<string[]> {
  const pieces = await locator.evaluate((el) => {
    const out: Array<{ text: string; lines: number }> = [];
    // The node's own document (this file is type-checked without the DOM's globals); 4 is NodeFilter.SHOW_TEXT.
    const walker = el.ownerDocument.createTreeWalker(el, 4);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const range = el.ownerDocument.createRange();
      range.selectNodeContents(node);
      // One rect per line box the text occupies (an ellipsis-clipped piece is still one).
      const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      out.push({ text: node.textContent ?? '', lines: lines.size });
    }
    return out;
  });
  for (const piece of pieces) expect(piece.lines, `"${piece.text}" on one line`).toBeLessThanOrEqual(1);
  return pieces.map((p) => p.text);
}

async function openRunsHistory(page: Page): Promise<void> {
  await openScreen(page, 'runs');
  await expect(page.getByTestId('run-history')).toBeVisible();
}

test('runs: a passed run leads with its report, a failed one says its certificate was revoked; Runs filtered and exported; the Queue lists what waits', async ({ ui, shell }) => {
  test.setTimeout(240_000);
  const { page, station, screen } = ui;
  const passing = station.gateways[0]!;
  const failing = station.gateways[station.gateways.length - 1]!;
  // The registry away: the runs stay queued, so the Queue screen has runs to list.
  await station.registry('registry-stop');
  await devicesReady(page, station.gateways.map((g) => g.port));
  // The demo's gateways are ports added by hand: said in words, not "typed port".
  await expect(deviceRow(page, passing.port)).toContainText('port added by hand');
  await expect(page.getByText('typed port')).toHaveCount(0);

  // A passed run: Open report is the primary button, Retry is a secondary "Run again".
  await provisionAndOpenRun(page, passing.port);
  await waitForOutcome(page, 'passed');
  const actions = page.getByTestId('run-actions');
  await expect(actions).toHaveAttribute('data-primary', 'report');
  await expect(page.getByTestId('run-report')).toHaveClass(/button-primary/);
  await expect(page.getByTestId('run-retry')).not.toHaveClass(/button-primary/);
  await expect(page.getByTestId('run-retry')).toHaveText('Run again');
  await expect(actions.locator('.button-primary')).toHaveCount(1);
  await expect(page.getByTestId('certificate-revoked')).toHaveCount(0);
  await screen('passed run leads with the report');

  // A failed run: Retry leads; its certificate, revoked by the rollback, is said revoked with when and why.
  await openScreen(page, 'devices');
  await provisionAndOpenRun(page, failing.port);
  await waitForOutcome(page, 'failed');
  await expect(page.getByTestId('run-actions')).toHaveAttribute('data-primary', 'retry');
  await expect(page.getByTestId('run-retry')).toHaveClass(/button-primary/);
  const revoked = page.getByTestId('certificate-revoked');
  await expect(revoked).toContainText('REVOKED on');
  await expect(revoked).toHaveAttribute('data-reason', /^rolled back: /);
  await expect(revoked).toContainText('rolled back: ');
  await screen('failed run says its certificate was revoked');
  await page.getByTestId('run-report').click();
  await expect(page.getByTestId('run-report-page')).toBeVisible();
  await expect(page.getByTestId('run-report-page').getByTestId('certificate-revoked')).toContainText('REVOKED on');
  await expect(page.getByTestId('run-report-page').locator('.fact').filter({ hasText: 'Certificate status' })).toContainText('REVOKED on');
  // The report's serial is whole: a .mono value breaks anywhere, the serial only after a separator.
  await expectNoWordBroken(page.getByTestId('run-report-page').locator('.fact').filter({ hasText: 'Device serial' }).locator('.serial'));
  await screen('report of the failed run says revoked');

  // Runs: filtered by outcome and by the serial's first characters; the serials on one line each.
  await openRunsHistory(page);
  const rows = page.getByTestId('run-history').locator('tbody tr');
  await expect(rows).toHaveCount(2);
  for (const serial of await page.getByTestId('run-history').locator('.serial').all()) {
    const title = await serial.getAttribute('title');
    expect((await expectNoWordBroken(serial)).join('')).toBe(title);
  }
  await page.getByTestId('runs-filter-outcome').selectOption('failed');
  await page.getByTestId('runs-filter-apply').click();
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(failing.serial);
  await expect(page.getByTestId('runs-filter-summary')).toContainText('1 run match');
  await screen('runs filtered by outcome');
  await page.getByTestId('runs-filter-clear').click();
  await expect(rows).toHaveCount(2);
  await page.getByTestId('runs-filter-serial').fill(passing.serial.slice(0, passing.serial.length - 1));
  await page.getByTestId('runs-filter-apply').click();
  // Both demo serials share all but their last character.
  await expect(rows).toHaveCount(passing.serial.slice(0, -1) === failing.serial.slice(0, -1) ? 2 : 1);
  await page.getByTestId('runs-filter-serial').fill(passing.serial);
  await page.getByTestId('runs-filter-apply').click();
  await expect(rows).toHaveCount(1);

  // Export CSV: the runs listed, RFC 4180 with the shared columns.
  if (shell === 'web') {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('runs-export-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/^fieldline-runs-\d{4}-\d{2}-\d{2}\.csv$/);
    const text = await readFile(await download.path(), 'utf8');
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('run,serial,outcome,error,profile,profile_version,station,started_at,ended_at');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(`,${passing.serial},passed,`);
    await expect(page.getByTestId('runs-filter-summary')).toContainText('1 exported as CSV');
  }
  await screen('runs filtered by serial and exported');

  // Queue: which runs wait for the (stopped) registry, by serial and run.
  await openScreen(page, 'queue');
  const entries = page.getByTestId('queue-entry');
  await expect(entries).toHaveCount(2);
  await expect(page.getByTestId('queue-entries')).toContainText(passing.serial);
  await expect(page.getByTestId('queue-entries')).toContainText(failing.serial);
  await expect(entries.first()).toHaveAttribute('data-state', /pending|in-flight/);
  await screen('queue lists the runs that wait');
});

test('the Add port error shows inside its dialog; Settings does not save a registry that does not answer', async ({ ui }) => {
  const { page, station, screen } = ui;
  await devicesReady(page, station.gateways.map((g) => g.port));

  await page.getByTestId('add-port').click();
  const dialog = page.getByTestId('add-port-dialog');
  await expect(dialog).toBeVisible();
  await page.getByTestId('add-port-path').fill('/dev/ttyNOWHERE9');
  await page.getByTestId('add-port-submit').click();
  // Inside the dialog, above its buttons — not in the alert region under the modal overlay.
  const error = dialog.getByTestId('add-port-error');
  await expect(error).toBeVisible();
  await expect(error).toHaveAttribute('data-code', 'PORT_NOT_FOUND');
  await expect(page.getByTestId('add-port-path')).toHaveAttribute('aria-invalid', 'true');
  // The error is on top: the point at its centre is the error itself, not the overlay.
  const onTop = await error.evaluate((el) => {
    const box = el.getBoundingClientRect();
    return el.contains(el.ownerDocument.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2));
  });
  expect(onTop).toBe(true);
  await screen('add port error inside the dialog');
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);

  // A gateway's name in a narrow window: broken only after its separator, never inside a word; all of it in the title.
  await page.setViewportSize({ width: 700, height: 800 });
  for (const gateway of station.gateways) {
    const label = deviceRow(page, gateway.port).locator('.device-serial .serial');
    const title = await label.getAttribute('title');
    expect(title).toContain(gateway.serial);
    expect((await expectNoWordBroken(label)).join('')).toBe(title);
    // Its port path holds the serial too: broken after a / or a -, not inside the serial.
    expect((await expectNoWordBroken(deviceRow(page, gateway.port).locator('.device-path .serial'))).join('')).toBe(gateway.port);
  }
  await screen('devices in a narrow window: names break only after a separator');
  await page.setViewportSize({ width: 1280, height: 800 });

  // Settings: a registry URL nothing answers at is tested, refused with the reason, and not saved.
  await openScreen(page, 'settings');
  const url = page.getByTestId('settings-registry-url');
  const before = await url.inputValue();
  // Port 2: nothing listens there, and fetch does not refuse it as a "bad port" (as it does 9, say) before trying.
  await url.fill('http://127.0.0.1:2');
  await page.getByTestId('settings-registry-token').fill('flt_some-token');
  await page.getByTestId('settings-registry-save').click();
  const failed = page.getByTestId('settings-registry-error');
  await expect(failed).toBeVisible();
  await expect(failed).toHaveAttribute('data-code', 'REGISTRY_UNREACHABLE');
  await expect(failed).toContainText('Not saved.');
  await expect(failed).toContainText('http://127.0.0.1:2/v1/health did not answer (ECONNREFUSED)');
  // No "✔ Saved" note (SavedNote's .saved) beside the button.
  await expect(page.locator('form[aria-labelledby="registry-title"] .saved')).toHaveCount(0);
  await screen('settings refuses a registry that does not answer');
  // Nothing was saved: the station still names the demo's registry.
  await page.reload();
  await openScreen(page, 'settings');
  await expect(page.getByTestId('settings-registry-url')).toHaveValue(before);
});
