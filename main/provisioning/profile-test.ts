/**
 * `fieldline profile test`: provisions a fresh virtual gateway with a profile, in a throwaway data directory
 * with a throwaway development CA, and reports the run — so a team can gate every profile change in its own CI
 * before any real device sees it. After a passed run the device must also show no drift from the profile.
 *
 * The virtual gateway comes from the caller (`startGateway`): provisioning is production code and must not import
 * the simulator (eslint.config.js); the `fieldline sim` front end (main/cli/sim.ts) is what owns it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../log';
import { GatewaySession } from '../device/session';
import type { LoadedProfile } from '../profiles/load';
import { initCa, openStationCa } from '../pki/station-ca';
import { openStore } from '../store/store';
import type { ProvisionEvents } from './context';
import { checkDrift, type Difference } from './drift';
import type { RunRecord } from '../contract/run-record';
import { runProvisioning } from './runner';

/** What the test asks of its throwaway gateway. */
export interface VirtualGatewayOptions {
  /** What the gateway runs before the test (to exercise the firmware gate). */
  firmwareVersion?: string;
  /** Simulator fault specs (`fieldline sim --help`). */
  faults?: readonly string[];
  logger: Logger;
}

/** A running virtual gateway: the serial port to provision, and how to unplug it. */
export interface VirtualGateway {
  readonly port: string;
  stop(): Promise<void>;
}

export type StartVirtualGateway = (options: VirtualGatewayOptions) => Promise<VirtualGateway>;

export interface ProfileTestOptions {
  profile: LoadedProfile;
  variables: Record<string, string>;
  /** Starts the one fresh virtual gateway the profile is tried on. */
  startGateway: StartVirtualGateway;
  /** What the virtual gateway runs before the test (to exercise the firmware gate). */
  firmwareVersion?: string;
  faults?: string[];
  events?: ProvisionEvents;
  logger?: Logger;
}

export interface ProfileTestResult {
  record: RunRecord;
  /** Differences between the gateway and the profile after the run (empty when it passed cleanly). */
  drift: Difference[];
}

export async function testProfile(options: ProfileTestOptions): Promise<ProfileTestResult> {
  const logger = options.logger ?? silentLogger;
  const work = await mkdtemp(join(tmpdir(), 'fieldline-profile-test-'));
  const gateway = await options.startGateway({
    logger: logger.child('sim'),
    ...(options.firmwareVersion ? { firmwareVersion: options.firmwareVersion } : {}),
    ...(options.faults?.length ? { faults: options.faults } : {}),
  });
  const dataDir = join(work, 'data');
  const passphrase = randomBytes(24).toString('base64');
  await initCa(dataDir, { passphrase, organization: 'Fieldline profile test' });
  const signer = await openStationCa(dataDir, passphrase);
  const store = openStore(dataDir);
  try {
    const port = gateway.port;
    const record = await runProvisioning({
      port,
      profile: options.profile,
      signer,
      store,
      station: { name: 'profile-test' },
      variables: options.variables,
      logger,
      rebootTimeoutMs: 20_000,
      ...(options.events ? { events: options.events } : {}),
    });
    let drift: Difference[] = [];
    if (record.outcome === 'passed') {
      const session = await GatewaySession.openSerial(port, { logger });
      try {
        drift = (await checkDrift({ session, profile: options.profile, store, station: { name: 'profile-test' }, variables: options.variables })).report.differences;
      } finally {
        await session.close();
      }
    }
    return { record, drift };
  } finally {
    store.close();
    await gateway.stop();
    await rm(work, { recursive: true, force: true });
  }
}
