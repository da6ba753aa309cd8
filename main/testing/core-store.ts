/**
 * Tests reach a data directory's store and CA the way every front end does: through a core (main/core), closed
 * when the work is done — so a test seeds and reads exactly what `fieldline` commands will find there.
 */
import { createCore } from '../core/core';
import { silentLogger } from '../log';
import type { Signer } from '../pki/types';
import type { SqliteStore } from '../store/store';

/** Runs `work` on the data directory's store, then closes it (the CLI process under test opens its own). */
export async function withStoreOf<T>(dataDir: string, work: (store: SqliteStore) => T | Promise<T>): Promise<T> {
  const core = createCore({ dataDir, logger: silentLogger });
  try {
    return await work(core.store());
  } finally {
    await core.close();
  }
}

/** Runs `work` with the data directory's station CA, unlocked with `passphrase`. */
export async function withSignerOf<T>(dataDir: string, passphrase: string, work: (signer: Signer) => T | Promise<T>): Promise<T> {
  const core = createCore({ dataDir, logger: silentLogger, askPassphrase: () => Promise.resolve(passphrase) });
  try {
    return await work(await core.signer());
  } finally {
    await core.close();
  }
}
