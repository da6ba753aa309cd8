/** The core's runner keeps the run's profile before the gateway is opened, and a run whose profile cannot be kept never opens it. */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../contract/clock';
import { FieldlineError } from '../errors';
import { silentLogger } from '../log';
import type { Signer } from '../pki/types';
import { loadProfile } from '../profiles/load';
import { keepRanProfile, ranProfilePath } from '../profiles/ran-profiles';
import { openStore, type SqliteStore } from '../store/store';
import { REPO_ROOT } from '../testing/cli';
import { createBleRadios } from '../transport/ble/noble';
import { createRunner, type RunnerDeps } from './runner';

describe('the runner keeps the profile a run uses', () => {
  let dataDir: string;
  let store: SqliteStore;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fieldline-runner-'));
    store = openStore(dataDir);
  });
  afterEach(async () => {
    store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const runnerWith = (keepProfile: RunnerDeps['keepProfile'], onOpen: (where: string) => void): ReturnType<typeof createRunner> =>
    createRunner({
      store: () => store,
      signer: () => Promise.resolve({} as Signer),
      station: { name: 'runner-test' },
      logger: silentLogger,
      clock: systemClock,
      radios: createBleRadios(),
      keepProfile,
      // The gateway is "absent": what matters is what was on disk when the run reached for it.
      openSession: (target) => {
        onOpen(target.kind === 'serial' ? target.path : 'ble');
        return Promise.reject(new FieldlineError('DEVICE_NOT_FOUND', 'no gateway in this test'));
      },
    });

  it('writes the copy under the record’s profile.sha256 before the device is opened', async () => {
    const profile = await loadProfile(join(REPO_ROOT, 'resources/profiles/gateway-eu.yaml'));
    const kept = ranProfilePath(dataDir, profile.sha256) as string;
    const keptAtOpen: Array<{ where: string; kept: boolean }> = [];
    const runner = runnerWith((p) => keepRanProfile(dataDir, p), (where) => keptAtOpen.push({ where, kept: existsSync(kept) }));
    await expect(runner.run({ port: '/dev/null-gateway', profile, variables: { site: 'berlin-1' } })).rejects.toMatchObject({ code: 'DEVICE_NOT_FOUND' });
    expect(keptAtOpen).toEqual([{ where: '/dev/null-gateway', kept: true }]);
  });

  it('never opens the device when the profile cannot be kept', async () => {
    const profile = await loadProfile(join(REPO_ROOT, 'resources/profiles/gateway-eu.yaml'));
    const opened: string[] = [];
    const runner = runnerWith(() => Promise.reject(new FieldlineError('STORE_DISK_FULL', 'no space left')), (where) => opened.push(where));
    await expect(runner.run({ port: '/dev/null-gateway', profile, variables: { site: 'berlin-1' } })).rejects.toMatchObject({ code: 'STORE_DISK_FULL' });
    expect(opened).toEqual([]);
  });
});
