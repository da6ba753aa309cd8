/** The contract's run filter (main/contract/runs-filter.ts) as the store's query options. */
import type { RunFilter } from '../contract/runs-filter';
import type { ListRunsOptions } from './types';

/** A listing without a limit shows this many (the Runs screen's first page). */
export const DEFAULT_RUNS_LIMIT = 100;

export function listRunsOptions(filter: RunFilter): ListRunsOptions {
  return {
    limit: filter.limit ?? DEFAULT_RUNS_LIMIT,
    ...(filter.serial !== undefined ? { serial: filter.serial } : {}),
    ...(filter.serialPrefix !== undefined ? { serialPrefix: filter.serialPrefix } : {}),
    ...(filter.outcome !== undefined ? { outcome: filter.outcome } : {}),
    ...(filter.profile !== undefined ? { profile: filter.profile } : {}),
    ...(filter.from !== undefined ? { startedSince: filter.from } : {}),
    ...(filter.to !== undefined ? { startedBefore: filter.to } : {}),
  };
}
