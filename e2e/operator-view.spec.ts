/**
 * The operator view of the line (issue #17's done-when): at 1920×1080 with 8 virtual gateways — the demo's four (the
 * fourth fails its selftest) and four more plugged into the demo's ports directory — the line started once, the
 * fixture positions labelled in Settings (each virtual gateway's location is `virtual/<serial>`), the view shows 7
 * PASS tiles and 1 FAIL tile naming its step, each tile named by its fixture label, every tile on the one screen, the
 * words large enough to read from 2 m (computed font sizes, see operator.css), and a screenshot is saved. Retry on the
 * FAIL tile provisions that gateway again without unplugging it, and with the sound setting on its verdict sounds the
 * fail tone (Web Audio, counted by wrapping the page's AudioContext). Started again with each board waiting for its
 * label scan, Stop and Start on the waiting tile take it out of the line and put it back.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { openScreen, RUN_TIMEOUT_MS } from './support/ui';

const tiles = (page: Page, verdict?: string) => page.locator(`[data-testid="operator-tile"]${verdict ? `[data-verdict="${verdict}"]` : ''}`);

/**
 * The least font size, in CSS pixels, of a word an operator must read from 2 m: a letter 1/200 of the distance tall
 * (10 mm) on a 24-inch 1080p monitor (0.277 mm a pixel), with a cap height of about 0.7 em.
 */
const READABLE_AT_2M_PX = 52;

async function fontPx(page: Page, testId: string): Promise<number[]> {
  // Runs in the page: globalThis is its window there.
  return page.getByTestId(testId).evaluateAll((els) => els.map((el) => parseFloat((globalThis as unknown as { getComputedStyle(e: unknown): { fontSize: string } }).getComputedStyle(el).fontSize)));
}

test('the operator view: 8 fixture positions, 7 PASS and 1 FAIL naming its step, readable from 2 m', async ({ ui }) => {
  test.setTimeout(300_000);
  const { page, station, screen } = ui;
  const plugged = await station.plug(4, 'F1E1D00000000201');
  const gateways = [...station.gateways, ...plugged];
  expect(gateways).toHaveLength(8);
  const failing = station.gateways[station.gateways.length - 1]!;
  // Fixture labels in serial order: A1–A4, then B1–B4.
  const labelOf = new Map([...gateways].sort((a, b) => a.serial.localeCompare(b.serial)).map((g, i) => [g.serial, `${i < 4 ? 'A' : 'B'}${(i % 4) + 1}`]));
  await page.setViewportSize({ width: 1920, height: 1080 });

  // The tones the view plays, by frequency: AudioContext wrapped before the view makes one (a string: the specs are
  // type-checked without the DOM's types).
  await page.evaluate(`(() => {
    window.__tones = [];
    const Original = window.AudioContext;
    window.AudioContext = class extends Original {
      createOscillator() {
        const osc = super.createOscillator();
        const start = osc.start.bind(osc);
        osc.start = (when) => {
          window.__tones.push(osc.frequency.value);
          start(when);
        };
        return osc;
      }
    };
  })()`);
  const tones = (): Promise<number[]> => page.evaluate('window.__tones') as Promise<number[]>;

  await openScreen(page, 'station');
  await page.getByTestId('line-concurrency').selectOption('8');
  await page.getByTestId('line-start').click();
  await expect(page.getByTestId('line-state')).toHaveAttribute('data-running', 'true');
  await expect(page.getByTestId('slot-card')).toHaveCount(8);

  // Settings: each position a gateway is in now is listed by its location; its fixture label is typed there.
  await openScreen(page, 'settings');
  await expect(page.getByTestId('fixture-row')).toHaveCount(8);
  for (const [serial, label] of labelOf) {
    await page.locator(`[data-testid="fixture-row"][data-location="virtual/${serial}"]`).getByTestId('fixture-label').fill(label);
  }
  await page.getByTestId('settings-operator-sound').check();
  await page.getByTestId('settings-fixtures-save').click();
  await expect(page.locator('[data-testid="fixture-row"][data-location^="virtual/"] [data-testid="fixture-label"]').first()).not.toHaveValue('');
  await expect(page.getByTestId('settings-fixtures-error')).toHaveCount(0);

  await openScreen(page, 'station');
  await page.getByTestId('open-operator-view').click();
  const view = page.getByTestId('operator-view');
  await expect(view).toBeVisible();
  await expect(page.getByTestId('nav-devices')).toHaveCount(0);
  await expect(tiles(page)).toHaveCount(8);
  await expect(tiles(page, 'PASS')).toHaveCount(7, { timeout: RUN_TIMEOUT_MS * 3 });
  await expect(tiles(page, 'FAIL')).toHaveCount(1, { timeout: RUN_TIMEOUT_MS });

  const failed = tiles(page, 'FAIL');
  await expect(failed).toHaveAttribute('data-serial', failing.serial);
  await expect(failed.getByTestId('tile-name')).toHaveText(labelOf.get(failing.serial)!);
  await expect(failed.getByTestId('tile-detail')).toHaveText('failed at Diagnostics');
  await expect(failed.getByTestId('tile-retry')).toBeVisible();
  // Every tile by its fixture label, in the fixture's order.
  await expect(page.getByTestId('tile-name')).toHaveText(['A1', 'A2', 'A3', 'A4', 'B1', 'B2', 'B3', 'B4']);
  for (const g of gateways.filter((x) => x !== failing)) {
    await expect(tiles(page, 'PASS').and(page.locator(`[data-serial="${g.serial}"]`)).getByTestId('tile-name')).toHaveText(labelOf.get(g.serial)!);
  }
  await expect(page.getByTestId('operator-passed')).toHaveText('7');
  await expect(page.getByTestId('operator-failed')).toHaveText('1');
  await expect(page.getByTestId('operator-yield')).toHaveText('87.5 %');
  await expect(page.getByTestId('operator-sound')).toHaveAttribute('data-on', 'true');

  // Readable from 2 m: the position, the verdict and the failed step, measured as the browser laid them out.
  for (const px of await fontPx(page, 'tile-name')) expect(px).toBeGreaterThanOrEqual(READABLE_AT_2M_PX);
  for (const px of await fontPx(page, 'tile-verdict')) expect(px).toBeGreaterThanOrEqual(2 * READABLE_AT_2M_PX - 4);
  for (const px of await fontPx(page, 'tile-detail')) expect(px).toBeGreaterThanOrEqual(READABLE_AT_2M_PX);
  // All eight on the one screen, none below its edge.
  for (const box of await tiles(page).evaluateAll((els) => els.map((el) => el.getBoundingClientRect().bottom))) expect(box).toBeLessThanOrEqual(1080);
  await page.evaluate('window.scrollTo(0, 0)');
  await screen('operator-view-1920x1080');

  // Retry on the FAIL tile: the same gateway, still plugged in, runs again (and fails its selftest again).
  const failedPort = (await failed.getAttribute('data-port')) ?? '';
  // Verdicts reached while the view was open have sounded already; only the retry's counts from here.
  const tonesBefore = (await tones()).length;
  const retried = page.locator(`[data-testid="operator-tile"][data-port="${failedPort}"]`);
  await failed.getByTestId('tile-retry').click();
  await expect(retried).toHaveAttribute('data-verdict', /RUNNING|WAITING/);
  await expect(retried).toHaveAttribute('data-verdict', 'FAIL', { timeout: RUN_TIMEOUT_MS });
  await expect(page.getByTestId('operator-failed')).toHaveText('2');
  // Its verdict sounded the fail tone (one long low buzz), once.
  await expect.poll(async () => (await tones()).slice(tonesBefore)).toEqual([220]);

  // Started again with each board waiting for its label scan: the seven that passed are left alone, the failed one
  // waits (SCAN). Stop takes it out of the line (STOPPED), Start puts it back to wait for its scan.
  await page.getByTestId('operator-exit').click();
  await expect(page.getByTestId('nav-station')).toHaveAttribute('aria-current', 'page');
  await page.getByTestId('line-stop').click();
  await expect(page.getByTestId('line-state')).toHaveAttribute('data-running', 'false');
  await page.getByTestId('line-require-scan').check();
  await page.getByTestId('line-start').click();
  await expect(page.getByTestId('line-state')).toHaveAttribute('data-running', 'true');
  await page.getByTestId('open-operator-view').click();
  await expect(tiles(page, 'PASS')).toHaveCount(7);
  await expect(tiles(page, 'PASS').getByTestId('tile-detail')).toHaveText(Array(7).fill('passed earlier'));
  await expect(retried).toHaveAttribute('data-verdict', 'SCAN');
  await retried.getByTestId('tile-stop').click();
  await expect(retried).toHaveAttribute('data-verdict', 'STOPPED');
  await retried.getByTestId('tile-start').click();
  await expect(retried).toHaveAttribute('data-verdict', 'SCAN');
  await expect(retried.getByTestId('tile-detail')).toHaveText('scan its label');

  await page.getByTestId('operator-exit').click();
  await page.getByTestId('line-stop').click();
  await expect(page.getByTestId('line-state')).toHaveAttribute('data-running', 'false');
});
