/**
 * Issue #12's done-when (item 4, rework): a rework can be done from the UI. The demo's four virtual gateways are
 * provisioned in a first-pass session (three pass, the fourth fails its selftest); then the operator picks the
 * rework mode "keep", confirms it (a cancel first starts nothing), and the line provisions every board again: the
 * three that had passed pass again with the identity they hold (no "passed earlier", never a red failure), counted
 * as rework apart from first-pass runs; units/hour stays "—" for a session this short.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { runFieldline } from '../main/testing/cli';
import { expect, SCREENS_DIR, test } from './fixtures';
import { openScreen, RUN_TIMEOUT_MS } from './support/ui';

const cards = (page: Page, state?: string) => page.locator(`[data-testid="slot-card"]${state ? `[data-state="${state}"]` : ''}`);

test('a rework from the Station screen: keep each identity, confirmed, counted apart', async ({ ui }) => {
  test.setTimeout(180_000);
  const { page, station, screen } = ui;
  const failing = station.gateways[station.gateways.length - 1]!;
  await openScreen(page, 'station');
  await page.getByTestId('line-concurrency').selectOption('4');
  await expect(page.getByTestId('line-mode')).toHaveValue('first-pass');

  // First pass.
  await page.getByTestId('line-start').click();
  await expect(cards(page, 'passed')).toHaveCount(station.gateways.length - 1, { timeout: RUN_TIMEOUT_MS * 2 });
  await expect(cards(page, 'failed')).toHaveCount(1, { timeout: RUN_TIMEOUT_MS });
  await expect(page.getByTestId('kpi-rework')).toHaveText('0');
  await page.getByTestId('line-stop').click();
  await expect(page.getByTestId('line-state')).toHaveAttribute('data-running', 'false');

  // The rework mode asks before it starts; a cancel starts nothing.
  await page.getByTestId('line-mode').selectOption('keep');
  await expect(page.getByTestId('line-start')).toHaveText('Start rework…');
  await page.getByTestId('line-start').click();
  const confirm = page.getByRole('alertdialog', { name: 'Start a rework?' });
  await expect(confirm).toContainText('keeps its certificate only if it still verifies');
  await page.getByTestId('rework-confirm-cancel').click();
  await expect(confirm).toHaveCount(0);
  await expect(page.getByTestId('line-state')).toHaveAttribute('data-running', 'false');
  await page.getByTestId('line-start').click();
  await page.getByTestId('rework-confirm-start').click();
  await expect(page.getByTestId('line-state')).toHaveAttribute('data-running', 'true');
  await expect(page.getByRole('status').filter({ hasText: 'rework' })).toContainText('identity kept');

  // Every board runs again: the three that had passed pass again — no "passed earlier", no failure — and the one
  // that never passed fails its selftest again, a first-pass failure.
  await expect(cards(page)).toHaveCount(station.gateways.length);
  await expect(cards(page, 'passed')).toHaveCount(station.gateways.length - 1, { timeout: RUN_TIMEOUT_MS * 2 });
  await expect(cards(page, 'failed')).toHaveCount(1, { timeout: RUN_TIMEOUT_MS });
  await expect(cards(page, 'failed')).toHaveAttribute('data-serial', failing.serial);
  await expect(page.locator('[data-testid="slot-note"][data-kind="passed-earlier"]')).toHaveCount(0);
  await expect(page.getByTestId('kpi-rework')).toHaveText(`${station.gateways.length - 1} / ${station.gateways.length - 1}`);
  await expect(page.getByTestId('kpi-passed')).toHaveText(String(station.gateways.length - 1));
  await expect(page.getByTestId('kpi-failed')).toHaveText('1');
  // The only first-pass run of this session is the board that never passed.
  await expect(page.getByTestId('kpi-fpy')).toHaveText('0.0 %');
  await expect(page.getByTestId('kpi-units-per-hour')).toHaveText('—');

  // Each reworked board's record says its identity was kept, with the certificate it already had.
  for (const href of await cards(page, 'passed').getByTestId('slot-open-run').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''))) {
    const shown = await runFieldline(['runs', 'show', href.replace('#/runs/', ''), '--json'], { FIELDLINE_DATA_DIR: station.dataDir });
    const record = JSON.parse(shown.stdout) as { rework?: boolean; certificate?: { serial: string }; steps: Array<{ name: string; evidence: Record<string, unknown> }> };
    expect(record.rework).toBe(true);
    const identity = record.steps.find((s) => s.name === 'identity')!.evidence;
    expect(identity).toMatchObject({ existing: 'kept', certificate: { serial: record.certificate!.serial } });
  }

  await page.evaluate('window.scrollTo(0, 0)');
  await screen('rework');
  await mkdir(SCREENS_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENS_DIR, 'rework.png'), fullPage: true });
  await page.getByTestId('line-stop').click();
  await expect(page.getByTestId('line-state')).toHaveAttribute('data-running', 'false');
});
