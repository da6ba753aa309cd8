import { describe, expect, it } from 'vitest';
import { readSettingOrAbsent } from '../device/read-config';
import { commitSettings, writeSetting } from '../smp/groups/settings';
import { virtualSession } from '../testing/virtual-session';
import { restoreSettings, verifySetting } from './rollback-settings';

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s));

describe('rollback of settings, read back', () => {
  it('deletes settings that did not exist, writes old values back, and proves both by reading', async () => {
    const { session } = await virtualSession();
    await writeSetting(session.client, 'net/apn', bytes('old.apn'));
    await commitSettings(session.client);
    // What the run did: a new setting and an overwritten one.
    await writeSetting(session.client, 'net/server', bytes('mqtts://golden'));
    await writeSetting(session.client, 'net/apn', bytes('golden.apn'));
    const before = new Map<string, Uint8Array | undefined>([
      ['net/server', undefined],
      ['net/apn', bytes('old.apn')],
    ]);
    expect(await restoreSettings(session, before)).toEqual([
      { action: 'delete setting net/server', target: 'net/server', outcome: 'done', verified: 'not found', detail: 'deleted (did not exist before)' },
      { action: 'restore setting net/apn', target: 'net/apn', outcome: 'done', verified: '7 bytes, same value as before', detail: 'old value written back' },
    ]);
    expect(await readSettingOrAbsent(session, 'net/server')).toBeUndefined();
    expect(Buffer.from((await readSettingOrAbsent(session, 'net/apn')) ?? []).toString()).toBe('old.apn');
  });

  it('fails a setting whose read-back is not what it was before', async () => {
    const { session } = await virtualSession();
    await writeSetting(session.client, 'net/server', bytes('mqtts://golden'));
    expect(await verifySetting(session, 'net/server', undefined)).toMatchObject({ outcome: 'failed', verified: 'present, 14 bytes' });
    expect(await verifySetting(session, 'net/server', bytes('other'))).toMatchObject({ outcome: 'failed', verified: '14 bytes, not the value before' });
    expect(await verifySetting(session, 'net/gone', bytes('x'))).toMatchObject({ outcome: 'failed', verified: 'not found' });
  });
});
