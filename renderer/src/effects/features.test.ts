import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIMITS } from '../../../main/contract/bounds';
import { fail } from '../../../main/contract/result';
import { alertsStore } from '../state/alerts';
import { devicesStore } from '../state/devices';
import { driftStore } from '../state/drift';
import { profilesStore } from '../state/profiles';
import { queueStore } from '../state/queue';
import { settingsStore } from '../state/settings';
import { createFakeApi, manualFrames, settle, type FakeApi } from '../testing/fake-api';
import { resetStores } from '../testing/reset';
import { device, profileDetails, profileItem, queueStatus, settings } from '../testing/samples';
import { addPort } from './devices';
import { checkDrift, prepareDrift, remediate } from './drift';
import { importProfile } from './profiles';
import { exportBundle, syncNow } from './queue';
import { saveRegistry, unlockCa } from './settings';
import { startEffects } from './start';

const eu = profileItem('gateway-eu.yaml');
const report = { serial: 'GW-1', firmware: '1.2.0', profile: { name: 'gateway-eu', version: '1' }, variables: { site: 'DEV-1' }, differences: [] };

let fake: FakeApi;
let stop: (() => void) | undefined;

beforeEach(async () => {
  resetStores();
  fake = createFakeApi({
    'devices:list': () => [device('/dev/pts/3')],
    'profiles:list': () => [eu],
    'profiles:get': () => profileDetails(eu),
  });
  stop = startEffects(fake.api, { schedule: manualFrames().schedule });
  await settle();
  alertsStore.getState().clear();
});
afterEach(() => stop?.());

const file = (name: string, text: string) => ({ name, size: text.length, text: async () => text });

describe('feature effects', () => {
  it('Add port attaches the port entered by hand', async () => {
    fake.handlers['devices:add-port'] = ({ path }) => device(path);
    expect(await addPort('/dev/pts/9')).toBeUndefined();
    expect(devicesStore.getState().order).toContain('serial:/dev/pts/9');
    fake.handlers['devices:add-port'] = () => fail('PORT_NOT_FOUND', '/dev/nope');
    // The error goes back to the dialog (shown inside it), not to the alert region under its modal overlay.
    expect((await addPort('/dev/nope'))?.code).toBe('PORT_NOT_FOUND');
    expect(alertsStore.getState().alerts).toEqual([]);
  });

  it('imports a profile as content with its signature, and keeps its problems for showing in place', async () => {
    const details = profileDetails(eu, { problemList: [{ path: 'settings', line: 3, column: 5, message: 'bad' }], problems: 1 });
    fake.handlers['profiles:import'] = () => details;
    expect(await importProfile(file('mine.yaml', 'name: x\n'), file('mine.yaml.sig', 'SIG'), false)).toBe(true);
    expect(fake.calls.find((c) => c.method === 'profiles:import')?.args).toEqual([{ fileName: 'mine.yaml', content: 'name: x\n', signature: 'SIG' }]);
    expect(profilesStore.getState().lastImport?.problemList[0]?.line).toBe(3);
    expect(profilesStore.getState().openPath).toBe(eu.path);
  });

  it('refuses an empty or oversized profile file before sending it', async () => {
    expect(await importProfile(file('empty.yaml', ''), undefined, false)).toBe(false);
    expect(await importProfile({ name: 'big.yaml', size: LIMITS.profileChars * 8, text: async () => '' }, undefined, false)).toBe(false);
    expect(fake.calls.some((c) => c.method === 'profiles:import')).toBe(false);
    expect(alertsStore.getState().alerts.map((a) => a.error.code)).toEqual(['INVALID_ARGUMENT', 'INVALID_ARGUMENT']);
  });

  it('Sync now and Export bundle update the queue', async () => {
    fake.handlers['queue:sync-now'] = () => queueStatus({ pending: 0, lastSuccessAt: 't' });
    fake.handlers['queue:export-bundle'] = () => ({ file: '/data/bundles/b.flb', count: 3, remaining: 0 });
    fake.handlers['queue:status'] = () => queueStatus({ exported: 3 });
    await syncNow();
    expect(queueStore.getState().status?.lastSuccessAt).toBe('t');
    await exportBundle(() => new Date('2026-01-01T00:00:00Z'));
    expect(queueStore.getState().lastExport).toEqual({ file: '/data/bundles/b.flb', count: 3, remaining: 0, at: '2026-01-01T00:00:00.000Z' });
    expect(queueStore.getState().status?.exported).toBe(3);
    expect(queueStore.getState().exporting).toBe(false);
  });

  it('the registry token is sent only when typed, and never kept', async () => {
    fake.handlers['settings:set-registry'] = () => settings({ registryUrl: 'https://r', tokenSet: true });
    await saveRegistry(' https://r ', '');
    await saveRegistry('https://r', 's3cret');
    const sent = fake.calls.filter((c) => c.method === 'settings:set-registry').map((c) => c.args[0]);
    expect(sent).toEqual([{ url: 'https://r' }, { url: 'https://r', token: 's3cret' }]);
    expect(JSON.stringify(settingsStore.getState())).not.toContain('s3cret');
    expect(settingsStore.getState().saved).toBe('registry');
  });

  it('a registry that fails its test is not "Saved": the form keeps why, until the next save succeeds', async () => {
    fake.handlers['settings:set-registry'] = () => fail('REGISTRY_UNREACHABLE', 'nothing was saved: https://nowhere.example/v1/health did not answer (ENOTFOUND)');
    expect(await saveRegistry('https://nowhere.example', 'tok')).toBe(false);
    expect(settingsStore.getState().saved).toBeUndefined();
    expect(settingsStore.getState().failed.registry).toMatchObject({ code: 'REGISTRY_UNREACHABLE', message: expect.stringContaining('/v1/health did not answer') });
    fake.handlers['settings:set-registry'] = () => settings({ registryUrl: 'https://r', tokenSet: true });
    expect(await saveRegistry('https://r', 'tok')).toBe(true);
    expect(settingsStore.getState().failed.registry).toBeUndefined();
    expect(settingsStore.getState().saved).toBe('registry');
  });

  it('a wrong CA passphrase is an alert in words, and the passphrase goes nowhere else', async () => {
    fake.handlers['settings:unlock-ca'] = () => fail('CA_PASSPHRASE');
    expect(await unlockCa('hunter22', true)).toBe(false);
    expect(alertsStore.getState().alerts[0]?.error.message).toBe('Wrong CA passphrase');
    expect(JSON.stringify([alertsStore.getState(), settingsStore.getState()])).not.toContain('hunter22');
  });

  it('drift: preselects device and batch profile, checks, and remediates with the variables it compared', async () => {
    fake.handlers['drift:check'] = () => ({ ...report, differences: [{ kind: 'setting', name: 'fieldline/site', expected: 'DEV-1', actual: 'XXX', fixable: true }] });
    fake.handlers['drift:fix'] = () => ({ fixed: [{ kind: 'setting', name: 'fieldline/site', expected: 'DEV-1', actual: 'XXX', fixable: true }], remaining: [], report });
    prepareDrift();
    expect(driftStore.getState()).toMatchObject({ deviceId: 'serial:/dev/pts/3', profilePath: eu.path });
    await checkDrift();
    expect(driftStore.getState().report?.differences).toHaveLength(1);
    await remediate();
    expect(fake.calls.find((c) => c.method === 'drift:fix')?.args).toEqual([{ deviceId: 'serial:/dev/pts/3', profilePath: eu.path, variables: { site: 'DEV-1' } }]);
    expect(driftStore.getState().fix?.fixed).toHaveLength(1);
    expect(driftStore.getState().report?.differences).toEqual([]);
  });
});
