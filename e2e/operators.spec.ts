/**
 * Operators in station web mode (issue #14's done-when: "in Chromium (station web mode), a technician sees no CA or
 * registry settings and a direct WebSocket call to change them is refused"). The demo station's data directory is
 * claimed by an admin and a technician before the station starts. The page opens on the sign-in screen; the
 * technician signs in, sees their name and role in the status bar and Settings without the registry, the CA or the
 * station's own settings; a WebSocket the page opens itself, signed in as the same technician, is refused
 * PERMISSION_DENIED (naming the admin role) when it sets the registry, and the registry is unchanged; after Sign out
 * the admin signs in and sees them all.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { openScreen } from './support/ui';

const ADMIN = { name: 'ada', role: 'admin', secret: 'admin-passphrase' } as const;
const TECH = { name: 'tom', role: 'technician', secret: '4711' } as const;

test.use({ stationEnv: { FIELDLINE_E2E_OPERATORS: JSON.stringify([ADMIN, TECH]) } });

async function signIn(page: Page, who: { name: string; secret: string; role: string }): Promise<void> {
  await expect(page.getByTestId('signin-form')).toBeVisible();
  await page.getByTestId('signin-name').fill(who.name);
  await page.getByTestId('signin-secret').fill(who.secret);
  await page.getByTestId('signin-submit').click();
  await expect(page.getByTestId('status-operator')).toHaveAttribute('data-role', who.role);
}

interface Answer {
  ok: boolean;
  value?: { registryUrl?: string };
  error?: { code: string; message: string };
}

/**
 * Runs in the page: a WebSocket of its own to the station's API (not the UI's bridge), signed in as `who`, then the
 * calls one after the other; answers every result in order. The page's own origin, so the station accepts the socket
 * as it does the UI's.
 */
async function directCalls(page: Page, who: { name: string; secret: string } | undefined, calls: Array<{ method: string; args: unknown[] }>): Promise<Answer[]> {
  return page.evaluate(
    async ({ who, calls }) => {
      interface Socket {
        onopen: (() => void) | null;
        onmessage: ((event: { data: string }) => void) | null;
        onerror: (() => void) | null;
        send(text: string): void;
        close(): void;
      }
      const scope = globalThis as unknown as { WebSocket: new (url: string) => Socket; location: { host: string } };
      const ws = new scope.WebSocket(`ws://${scope.location.host}/api`);
      const all = [...(who ? [{ method: 'session:sign-in', args: [{ name: who.name, secret: who.secret }] }] : []), ...calls];
      const answers = await new Promise<Array<{ ok: boolean }>>((resolve, reject) => {
        const got: Array<{ ok: boolean }> = [];
        const next = (): void => {
          const c = all[got.length];
          if (c) ws.send(JSON.stringify({ type: 'call', id: got.length, method: c.method, args: c.args }));
          else resolve(got);
        };
        ws.onerror = () => reject(new Error('the WebSocket failed'));
        ws.onmessage = (event) => {
          const message = JSON.parse(event.data) as { type: string; id?: number; result?: { ok: boolean } };
          if (message.type !== 'result' || message.id !== got.length || !message.result) return;
          got.push(message.result);
          next();
        };
        ws.onopen = next;
      });
      ws.close();
      return answers;
    },
    { who, calls },
  ) as Promise<Answer[]>;
}

test('a technician sees no CA or registry settings and cannot set them over the WebSocket; an admin can', async ({ ui, shell }) => {
  test.skip(shell !== 'web', 'station web mode: the desktop app signs in the same way, tested in main/electron');
  const { page, station, screen } = ui;

  // Claimed: nothing but the sign-in screen until someone signs in.
  await expect(page.getByTestId('signin-form')).toBeVisible();
  await expect(page.getByRole('navigation')).toHaveCount(0);
  await screen('sign-in');

  await signIn(page, TECH);
  await expect(page.getByTestId('status-operator')).toContainText('tom (technician)');
  await openScreen(page, 'settings');
  await expect(page.getByTestId('settings-data-dir')).toBeVisible();
  await expect(page.getByTestId('settings-registry-save')).toHaveCount(0);
  await expect(page.getByTestId('settings-ca')).toHaveCount(0);
  await expect(page.getByTestId('settings-printer')).toHaveCount(0);
  await expect(page.getByTestId('settings-idle-lock')).toHaveCount(0);
  await screen('technician settings');
  await openScreen(page, 'profiles');
  await expect(page.getByTestId('profile-list')).toBeVisible();
  await expect(page.getByTestId('profile-import-file')).toHaveCount(0);

  // The UI hides them; the core refuses them. A socket of the page's own, signed in as the technician:
  const [signedIn, registry, idle, readBack] = await directCalls(page, TECH, [
    { method: 'settings:set-registry', args: [{ url: 'https://attacker.example/', token: 'stolen' }] },
    { method: 'settings:set-idle-lock', args: [{ minutes: 240 }] },
    { method: 'settings:get', args: [] },
  ]);
  expect(signedIn).toMatchObject({ ok: true });
  expect(registry).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED', message: expect.stringMatching(/admin/) } });
  expect(idle).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
  // Nothing changed behind the refusal: still the demo's own registry.
  expect(readBack).toMatchObject({ ok: true });
  expect(readBack?.value?.registryUrl).toContain(new URL(station.registryUrl).host);
  // Without a sign-in, not even a read.
  const [anonymous] = await directCalls(page, undefined, [{ method: 'settings:get', args: [] }]);
  expect(anonymous).toMatchObject({ ok: false, error: { code: 'OPERATOR_SIGN_IN_REQUIRED' } });

  await page.getByTestId('sign-out').click();
  await signIn(page, ADMIN);
  await openScreen(page, 'settings');
  await expect(page.getByTestId('settings-registry-save')).toBeVisible();
  await expect(page.getByTestId('settings-ca-state')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('settings-idle-lock')).toHaveValue('15');
  await screen('admin settings');
  await openScreen(page, 'profiles');
  await expect(page.getByTestId('profile-import-file')).toBeAttached();
});

test('the page locks after the idle time an admin set, and says why', async ({ ui, shell }) => {
  test.skip(shell !== 'web', 'station web mode: the desktop app locks the same way');
  const { page, screen } = ui;
  // The page's clock from here on is the test's: a minute passes at once, no sleep.
  await page.clock.install();
  await signIn(page, ADMIN);
  await openScreen(page, 'settings');
  await page.getByTestId('settings-idle-lock').fill('1');
  await page.getByTestId('settings-idle-save').click();
  // The page's session now says a minute (what its own idle lock counts with).
  await expect(page.getByTestId('status-operator')).toHaveAttribute('data-idle-lock-ms', '60000');

  await page.clock.fastForward(30_000);
  await expect(page.getByTestId('status-operator')).toHaveAttribute('data-role', 'admin');
  await page.clock.fastForward(31_000);
  await expect(page.getByTestId('signin-ended')).toHaveAttribute('data-ended', 'idle');
  await expect(page.getByTestId('signin-ended')).toContainText('1 minute without activity');
  await expect(page.getByTestId('status-operator')).toHaveCount(0);
  await screen('locked after the idle time');
});
