/**
 * Sends the profiles this station's runs used to the registry (`PUT /v1/artifacts/{sha256}`, issue #16), so a visit
 * kit prepared on another station (main/sync/visit-prepare.ts fetches a run's profile by its SHA-256) holds the
 * profile a device was provisioned with even when it was an ordinary file, never published as a release. The bytes
 * are the copy the runner kept before the run (main/profiles/ran-profiles.ts), so they hash to the record's
 * `profile.sha256`.
 *
 * It goes after each sync pass that reached the registry, beside the revocation list: only profiles named by a
 * delivered record, each once per registry (the answer is kept in the store's profile_uploads table), a few per pass.
 * It never throws: a registry that goes away ends the pass's uploads (the next pass resumes), and the records' drain
 * is not touched.
 */
import type Database from 'better-sqlite3';
import { isFieldlineError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { readRanProfile } from '../profiles/ran-profiles';
import type { ReleaseClient } from './release-client';

/** Profiles sent in one pass at most: a station back online after months must not hold the next pass for long. */
export const PROFILE_UPLOADS_PER_PASS = 8;
/** Candidates looked at in one pass at most (runs from before the station kept profiles have no copy to send). */
const CANDIDATES_PER_PASS = 500;

export interface ProfileUploadOptions {
  dataDir: string;
  store: { db: Database.Database };
  /** The registry's URL (part of the key: a station moved to another registry sends its profiles there too). */
  registry: string;
  client: Pick<ReleaseClient, 'putArtifact'>;
  now?: () => Date;
  logger?: Logger;
  maxPerPass?: number;
}

export interface ProfileUploadPass {
  /** Sent and taken ('accepted' or 'duplicate'). */
  uploaded: string[];
  /** Refused by the registry; not asked again. */
  refused: string[];
  /** Why the pass stopped early (the registry went away), if it did. */
  stopped?: string;
}

/** The profiles of delivered records that this registry has not answered for yet, oldest hash order not implied. */
function candidates(db: Database.Database, registry: string, limit: number): string[] {
  return db
    .prepare(
      `SELECT p.sha FROM (SELECT DISTINCT profile_sha256 AS sha FROM runs) p
        WHERE NOT EXISTS (SELECT 1 FROM profile_uploads u WHERE u.registry = ? AND u.sha256 = p.sha)
          AND EXISTS (SELECT 1 FROM runs r JOIN outbox o ON o.run_id = r.id WHERE r.profile_sha256 = p.sha AND o.state = 'sent')
        LIMIT ?`,
    )
    .pluck()
    .all(registry, limit) as string[];
}

function remember(db: Database.Database, row: { registry: string; sha256: string; result: 'accepted' | 'duplicate' | 'refused'; at: string; error?: string }): void {
  db.prepare(
    `INSERT INTO profile_uploads (registry, sha256, result, answered_at, error) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (registry, sha256) DO UPDATE SET result = excluded.result, answered_at = excluded.answered_at, error = excluded.error`,
  ).run(row.registry, row.sha256, row.result, row.at, row.error?.slice(0, 4000) ?? null);
}

export async function uploadRanProfiles(options: ProfileUploadOptions): Promise<ProfileUploadPass> {
  const { db } = options.store;
  const now = options.now ?? (() => new Date());
  const logger = options.logger ?? silentLogger;
  const max = options.maxPerPass ?? PROFILE_UPLOADS_PER_PASS;
  const pass: ProfileUploadPass = { uploaded: [], refused: [] };
  let wanted: string[];
  try {
    wanted = candidates(db, options.registry, CANDIDATES_PER_PASS);
  } catch (err) {
    logger.warn('the profiles to send cannot be listed; records are unaffected', { error: (err as Error).message });
    return { ...pass, stopped: (err as Error).message };
  }
  for (const sha256 of wanted) {
    if (pass.uploaded.length + pass.refused.length >= max) break;
    try {
      const bytes = await readRanProfile(options.dataDir, sha256);
      // A run from before profiles were kept: nothing to send, and nothing to remember (a later run may keep it).
      if (!bytes) continue;
      const reply = await options.client.putArtifact(sha256, bytes);
      remember(db, { registry: options.registry, sha256, result: reply.result, at: now().toISOString() });
      pass.uploaded.push(sha256);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (isFieldlineError(err, 'REGISTRY_REJECTED')) {
        // The registry read the request and said no (400 for bytes it would not take): asking again changes nothing.
        try {
          remember(db, { registry: options.registry, sha256, result: 'refused', at: now().toISOString(), error: message });
        } catch {
          // Only the memory of the refusal is lost; the next pass asks once more.
        }
        pass.refused.push(sha256);
        logger.warn('the registry refused a profile a run used', { sha256, error: message });
        continue;
      }
      // Unreachable, not authorised, a reply that does not fit, a full disk: the next pass tries again.
      logger.warn('profiles a run used were not sent; records are unaffected', { sha256, error: message });
      return { ...pass, stopped: message };
    }
  }
  if (pass.uploaded.length > 0) logger.info('profiles runs used sent to the registry', { profiles: pass.uploaded.length });
  return pass;
}
