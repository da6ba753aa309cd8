/**
 * What a station sends after each sync pass that reached the registry (the drainer's `heartbeat` hook), for both
 * drainers — the CLI's (session.ts) and the app's (main/core/queue.ts): its CA's revocation list when it changed,
 * the profiles its delivered runs used, then the heartbeat. The two uploads never throw (each keeps its failure in the
 * store and logs it), so the heartbeat always goes; only the heartbeat's own failure reaches the drainer.
 */
import type { Heartbeat, HeartbeatReply } from '../contract/registry/fleet';
import type { Logger } from '../log';
import { uploadRanProfiles, type ProfileUploadOptions } from './profile-upload';
import type { RegistryClient } from './registry-client';
import type { ReleaseClient } from './release-client';
import { uploadRevocationsIfChanged, type RevocationUploadOptions } from './revocation-upload';

export interface AfterPassOptions {
  dataDir: string;
  store: RevocationUploadOptions['store'] & ProfileUploadOptions['store'];
  client: Pick<RegistryClient, 'url' | 'putRevocations' | 'sendHeartbeat'>;
  /** The profiles go up as artifacts, through the releases' client. */
  artifacts: Pick<ReleaseClient, 'putArtifact'>;
  logger: Logger;
  /** The heartbeat as it is now (collectHeartbeat), read after the uploads. */
  heartbeat: () => Heartbeat;
}

export async function sendAfterPass({ dataDir, store, client, artifacts, logger, heartbeat }: AfterPassOptions): Promise<HeartbeatReply> {
  await uploadRevocationsIfChanged({ dataDir, store, client, logger: logger.child('revocations') });
  await uploadRanProfiles({ dataDir, store, registry: client.url, client: artifacts, logger: logger.child('profiles') });
  return client.sendHeartbeat(heartbeat());
}
