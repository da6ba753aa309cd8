/**
 * Signed releases in the station's profile library (issue #15): on a station that follows a release channel, the
 * profile `fieldline sync` pulled shows a Released badge with its channel and version, and a profile that is not a
 * release of the channel (the example, here) is marked unreleased.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { followChannel } from '../main/sync/release-store';
import { holdRelease } from '../main/testing/releases';
import { expect, test } from './fixtures';
import { ROOT } from './support/station';
import { openScreen } from './support/ui';

test('the profile library marks pulled releases with channel and version, and the other profiles as unreleased', async ({ ui }) => {
  const { page, station, screen } = ui;
  const example = await readFile(join(ROOT, 'resources/profiles/gateway-eu.yaml'), 'utf8');
  await followChannel(station.dataDir, 'pilot');
  const pulled = await holdRelease(station.dataDir, { kind: 'profile', name: 'gateway-eu', version: '1.0.1', channel: 'pilot', bytes: Buffer.from(`${example}# pilot build\n`) });

  await openScreen(page, 'profiles');
  await expect(page.getByTestId(`profile-release-${pulled.sha256}.yaml`)).toContainText('Released · pilot 1.0.1');
  await expect(page.getByTestId(`profile-row-${pulled.sha256}.yaml`)).toContainText('pulled');
  await expect(page.getByTestId('profile-release-gateway-eu.yaml')).toContainText('Unreleased');
  await screen('profiles on a following station');
});
