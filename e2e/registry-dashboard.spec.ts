/**
 * The registry's dashboard in Chromium (issue #15): a registry and two stations that logged in and synced through
 * the real CLI (`registry login`, `sync --once`, which sends the heartbeat); the page, opened with a station token
 * in its URL fragment, shows both stations with their queues, their yields over the period, and a device's full
 * history. The second station's name is hostile markup: it must appear as text, never as an element.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { openRegistryDb } from '../registry/db';
import { startRegistry } from '../registry/server';
import { createToken } from '../registry/tokens';
import type { RunRecord } from '../main/contract/run-record';
import { lastJsonLine, runFieldline } from '../main/testing/cli';
import { withStoreOf } from '../main/testing/core-store';
import { registryRunRecord } from '../main/testing/registry';
import { sampleRunRecord } from '../main/testing/run-records';
import { SCREENS_DIR } from './fixtures';
import { chromiumMissing } from './support/chromium';

const HOSTILE = 'line-2 <img src=x onerror="window.__pwned=1">';

function run(serial: string, hoursAgo: number, outcome: RunRecord['outcome'], profile: string): RunRecord {
  const record = registryRunRecord({ serial, outcome, startedAt: new Date(Date.now() - hoursAgo * 3_600_000).toISOString() });
  return { ...record, profile: { ...record.profile, name: profile, version: '1.0.0' } };
}

test('the registry dashboard shows two stations, their yields and a device history', async ({ page }, testInfo) => {
  test.skip(chromiumMissing() !== undefined, chromiumMissing());
  const work = await mkdtemp(join(tmpdir(), 'fieldline-dashboard-'));
  const dbFile = join(work, 'registry.db');
  const db = openRegistryDb(dbFile);
  const tokens = { line1: createToken(db, 'line-1'), line2: createToken(db, HOSTILE) };
  db.close();
  const registry = await startRegistry({ dbFile });
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') pageErrors.push(msg.text());
  });
  try {
    const visit: RunRecord = { ...run('GW-D-1', 1, 'passed', 'gateway-eu'), site: 'berlin-1', service: { action: 'remediate', operator: 'Ana', before: { 'app/interval': '60' }, after: { 'app/interval': '30' } } };
    const stations = [
      {
        dir: join(work, 'line-1'),
        token: tokens.line1,
        // GW-D-1 failed, then passed on a second run: its history has both.
        // A field-service visit to GW-D-1 later: shown in its history apart, never counted in the yields.
        records: [
          run('GW-D-1', 5, 'failed', 'gateway-eu'),
          run('GW-D-1', 4, 'passed', 'gateway-eu'),
          run('GW-D-2', 3, 'passed', 'gateway-eu'),
          run('GW-D-3', 2, 'passed', 'gateway-us'),
          visit,
        ],
      },
      {
        dir: join(work, 'line-2'),
        token: tokens.line2,
        // The last one the registry refuses (its previousRunId is not a run id): a dead letter the heartbeat reports.
        records: [run('GW-E-1', 3, 'passed', 'gateway-us'), run('GW-E-2', 2, 'failed', 'gateway-us'), sampleRunRecord({ serial: 'GW-E-3', outcome: 'passed' })],
      },
    ];
    for (const station of stations) {
      const login = await runFieldline(['registry', 'login', '--url', registry.url, '--token-stdin', '--data-dir', station.dir, '--json'], {}, 60_000, `${station.token}\n`);
      expect(login.code, login.stderr).toBe(0);
      await withStoreOf(station.dir, (store) => station.records.forEach((r) => store.saveRun(r)));
      const sync = await runFieldline(['sync', '--once', '--json', '--data-dir', station.dir]);
      expect(lastJsonLine(sync.stdout), sync.stderr).toMatchObject({ remaining: 0 });
    }

    await page.goto(`${registry.url}/#token=${encodeURIComponent(tokens.line1)}`);
    // The token leaves the address bar as soon as the page has read it.
    await expect.poll(() => page.url()).toBe(`${registry.url}/`);

    const rows = page.locator('#stations tbody tr');
    await expect(rows).toHaveCount(2);
    const line1 = rows.filter({ has: page.getByRole('cell', { name: 'line-1', exact: true }) });
    const line2 = rows.filter({ has: page.getByRole('cell', { name: HOSTILE, exact: true }) });
    await expect(line1.locator('td').nth(1)).toContainText(/ago/);
    await expect(line1.locator('td').nth(2)).toHaveText('0.1.0');
    await expect(line1.locator('td').nth(3)).toHaveText('0');
    await expect(line1.locator('td').nth(4)).toHaveText('0');
    await expect(line1.locator('td').nth(5)).toContainText('passed at');
    await expect(line2.locator('td').nth(4)).toHaveText('1');

    const byStation = page.locator('#yield-stations tbody tr');
    await expect(byStation).toHaveCount(2);
    await expect(byStation.nth(0).locator('td')).toHaveText(['line-1', '3', '1', '4', '75.0 %']);
    await expect(byStation.nth(1).locator('td')).toHaveText([HOSTILE, '1', '1', '2', '50.0 %']);
    const byProfile = page.locator('#yield-profiles tbody tr');
    await expect(byProfile.nth(0).locator('td')).toHaveText(['gateway-eu', '1.0.0', '2', '1', '3', '66.7 %']);
    await expect(byProfile.nth(1).locator('td')).toHaveText(['gateway-us', '1.0.0', '2', '1', '3', '66.7 %']);

    // Hostile names are text: no element was made from them, and nothing of theirs ran.
    await expect(page.locator('main img')).toHaveCount(0);
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();

    await page.getByLabel('Serial').fill('GW-D-1');
    await page.getByRole('button', { name: 'Look up' }).click();
    const history = page.locator('#device-runs tr');
    await expect(history).toHaveCount(3);
    await expect(history.nth(1)).toContainText('failed');
    await expect(history.nth(2)).toContainText('passed');
    await expect(history.nth(1)).toContainText('line-1');
    const visits = page.locator('#device-service tr');
    await expect(visits).toHaveCount(2);
    await expect(visits.nth(1).locator('td').nth(2)).toHaveText('remediate');
    await expect(visits.nth(1).locator('td').nth(3)).toHaveText('Ana');

    const path = join(SCREENS_DIR, `${testInfo.project.name}-registry-dashboard-01-stations-and-yields.png`);
    await page.screenshot({ path, fullPage: true });
    await testInfo.attach('stations-and-yields', { path, contentType: 'image/png' });
    expect(pageErrors, 'errors in the page (a CSP violation among them)').toEqual([]);
  } finally {
    await registry.close();
    await rm(work, { recursive: true, force: true });
  }
});
