/**
 * `fieldline profile test`: provisions a fresh virtual gateway with a profile, in a throwaway data directory
 * with a throwaway development CA, and reports the run — so a team can gate every profile change in its own CI
 * before any real device sees it. After a passed run the device must also show no drift from the profile.
 *
 * The virtual gateway comes from the caller (`startGateway`): production code must not import the simulator
 * (eslint.config.js); the `fieldline sim` front end (main/cli/sim.ts) is what owns it. The throwaway station is a
 * core of its own (main/core/core.ts), so the run goes through the same runner, store and drift check as a real one.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunRecord } from '../contract/run-record';
import { GatewaySession } from '../device/session';
import { silentLogger, type Logger } from '../log';
import { initCa } from '../pki/station-ca';
import type { LoadedProfile } from '../profiles/load';
import type { ProvisionEvents } from '../provisioning/context';
import type { Difference } from '../provisioning/drift';
import { createCore } from './core';

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
  const core = createCore({ dataDir, logger, station: { name: 'profile-test' }, askPassphrase: () => Promise.resolve(passphrase) });
  try {
    await initCa(dataDir, { passphrase, organization: 'Fieldline profile test' });
    const record = await core.runner.run({
      port: gateway.port,
      profile: options.profile,
      variables: options.variables,
      logger,
      rebootTimeoutMs: 20_000,
      ...(options.events ? { events: options.events } : {}),
    });
    let drift: Difference[] = [];
    if (record.outcome === 'passed') {
      const session = await GatewaySession.openSerial(gateway.port, { logger });
      try {
        drift = (await core.drift({ session, profile: options.profile, variables: options.variables })).remaining;
      } finally {
        await session.close();
      }
    }
    return { record, drift };
  } finally {
    await core.close();
    await gateway.stop();
    await rm(work, { recursive: true, force: true });
  }
}
