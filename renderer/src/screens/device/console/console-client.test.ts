/**
 * The console client: it adds the device to each request and sends one call at a time (the Node side refuses a
 * second call on a device while one runs); a failed call goes to the alert region with what was being done.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { fail } from '../../../../../main/contract/result';
import { alertsStore } from '../../../state/alerts';
import { createFakeApi, settle } from '../../../testing/fake-api';
import { resetStores } from '../../../testing/reset';
import { createConsoleClient } from './console-client';

beforeEach(() => resetStores());

describe('createConsoleClient', () => {
  it('sends the calls one after another, each naming the device', async () => {
    const order: string[] = [];
    let releaseFirst: () => void = () => undefined;
    const fake = createFakeApi({
      'console:info': () =>
        new Promise((resolve) => {
          order.push('info started');
          releaseFirst = () => {
            order.push('info ended');
            resolve({ os: 'Zephyr', params: null, bootloader: null });
          };
        }),
      'console:shell': ({ command }) => {
        order.push(`shell ${command}`);
        return { output: 'ok\n', ret: 0, truncated: false };
      },
    });
    const client = createConsoleClient('serial:/dev/pts/3', () => fake.api.invoke);
    const info = client.run('Read device info', 'console:info', {});
    const shell = client.run('Shell command', 'console:shell', { command: 'fs ls /lfs' });
    await settle();
    expect(order).toEqual(['info started']);
    releaseFirst();
    expect(await info).toMatchObject({ ok: true, value: { os: 'Zephyr' } });
    expect(await shell).toMatchObject({ ok: true, value: { output: 'ok\n' } });
    expect(order).toEqual(['info started', 'info ended', 'shell fs ls /lfs']);
    expect(fake.calls.map((c) => c.args[0])).toEqual([{ deviceId: 'serial:/dev/pts/3' }, { deviceId: 'serial:/dev/pts/3', command: 'fs ls /lfs' }]);
  });

  it('puts a refusal in the alert region and goes on with the next call', async () => {
    const fake = createFakeApi({
      'console:fs-list': () => fail('DEVICE_BUSY', 'serial:/dev/pts/3 is busy (provisioning)'),
      'console:stats': () => ({ groups: [], more: 0 }),
    });
    const client = createConsoleClient('serial:/dev/pts/3', () => fake.api.invoke);
    expect(await client.run('List files', 'console:fs-list', { path: '/lfs' })).toMatchObject({ ok: false, error: { code: 'DEVICE_BUSY' } });
    expect(alertsStore.getState().alerts).toEqual([expect.objectContaining({ context: 'List files', error: expect.objectContaining({ code: 'DEVICE_BUSY' }) })]);
    expect(await client.run('Read statistics', 'console:stats', {})).toMatchObject({ ok: true });
  });
});
