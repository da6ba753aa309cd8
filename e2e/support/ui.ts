/**
 * What the specs do on Fieldline's screens, by the data-testids documented in renderer/README.md. Every wait is on a
 * named UI state (a locator and an expectation), never a sleep.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, type Locator, type Page } from '@playwright/test';
import { STEP_ORDER } from '../../main/contract/run-record';
import { ROOT } from './station';

export { STEP_ORDER };

/** A run on a virtual gateway takes a few seconds (reboots, key generation); allow for a slow CI machine. */
export const RUN_TIMEOUT_MS = 45_000;

export type ScreenName = 'devices' | 'station' | 'runs' | 'profiles' | 'queue' | 'drift' | 'doctor' | 'settings';

/** Navigates with the screen's link, as a technician would, and waits for the link to be marked current. */
export async function openScreen(page: Page, screen: ScreenName): Promise<void> {
  await page.getByTestId(`nav-${screen}`).click();
  await expect(page.getByTestId(`nav-${screen}`)).toHaveAttribute('aria-current', 'page');
}

/** The Devices screen, ready to provision: the station connected, every gateway listed, a profile chosen. */
export async function devicesReady(page: Page, ports: readonly string[]): Promise<void> {
  await expect(page.getByTestId('nav-devices')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('app-version')).toBeVisible();
  for (const port of ports) await expect(deviceRow(page, port)).toBeVisible();
  await expect(page.getByTestId('batch-profile')).not.toHaveValue('');
}

/** A gateway's row, by the port it is on (its serial is only known once a run has identified it). */
export function deviceRow(page: Page, port: string): Locator {
  return page.locator(`li[data-testid^="device-row-"][data-port="${port.replace(/["\\]/g, '\\$&')}"]`);
}

/**
 * The two clicks a newcomer makes: Provision on the gateway's row, then Open run. Returns once the run screen shows
 * the run.
 */
export async function provisionAndOpenRun(page: Page, port: string): Promise<void> {
  const row = deviceRow(page, port);
  await row.getByTestId('provision-button').click(); // click 1
  await expect(row).toHaveAttribute('data-state', /provisioning|passed|failed/);
  await row.getByTestId('open-run').click(); // click 2
  await expect(page.getByTestId('nav-runs')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('run-steps')).toBeVisible();
  await expect(page.getByTestId('run-outcome')).toBeVisible();
}

/** Picks the option of a <select> whose text holds `text` (a gateway's port, a profile's name), by its value. */
export async function selectOptionHolding(select: Locator, text: string): Promise<void> {
  await select.selectOption((await select.locator('option', { hasText: text }).getAttribute('value')) ?? '');
}

export function step(page: Page, name: string): Locator {
  return page.getByTestId(`step-${name}`);
}

export async function waitForOutcome(page: Page, outcome: 'passed' | 'failed'): Promise<void> {
  await expect(page.getByTestId('run-outcome')).toHaveAttribute('data-outcome', outcome, { timeout: RUN_TIMEOUT_MS });
}

/** A number shown by a count element ("3"); NaN while it shows a dash. */
export async function countOf(locator: Locator): Promise<number> {
  return Number((await locator.textContent())?.trim());
}

/** `fieldline smp settings set …` against a gateway's port, as a field technician's tool would change it. */
export async function setDeviceSetting(port: string, name: string, value: string, as: string): Promise<void> {
  await promisify(execFile)(process.execPath, ['bin/fieldline.js', 'smp', 'settings', 'set', name, value, '--as', as, '--save', '--port', port, '--json'], {
    cwd: ROOT,
    timeout: 30_000,
  });
}
