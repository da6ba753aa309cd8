/**
 * Claims a data directory for tests: the operators given are added through a core, the way `fieldline operator add`
 * adds them — the first (which must be an admin) on the empty store, the others by that admin.
 */
import type { OperatorRole } from '../contract/operators';
import { createCore } from '../core/core';
import { silentLogger } from '../log';

export interface SeedOperator {
  name: string;
  role: OperatorRole;
  secret: string;
}

export async function seedOperators(dataDir: string, operators: readonly SeedOperator[]): Promise<void> {
  const [first, ...rest] = operators;
  if (!first) return;
  const core = createCore({ dataDir, logger: silentLogger });
  try {
    await core.operators.add(undefined, first);
    const admin = await core.operators.signIn(first.name, first.secret);
    for (const operator of rest) await core.operators.add(admin, operator);
  } finally {
    await core.close();
  }
}
