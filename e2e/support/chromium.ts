/**
 * Debian's Chromium (`apt-get install chromium`), launched through playwright-core. Playwright's own browser builds
 * are never downloaded (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1, no `npx playwright install`). The flags keep it quiet:
 * no GPU, and no traffic beyond the pages we open (no component updates, sync or background requests).
 * FIELDLINE_CHROMIUM points at another Chromium build where /usr/bin/chromium does not exist.
 */
import { existsSync } from 'node:fs';

export const CHROMIUM_PATH = process.env['FIELDLINE_CHROMIUM'] ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
] as const;

export const chromiumLaunchOptions = { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] };

/** Why Chromium cannot be launched here, or undefined when it can. */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM_PATH) ? undefined : `no Chromium at ${CHROMIUM_PATH}: apt-get install -y chromium (or set FIELDLINE_CHROMIUM)`;
}
