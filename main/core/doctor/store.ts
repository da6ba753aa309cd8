/**
 * The local store: SQLite's own quick integrity check, and the audit log's hash chain (an entry edited, deleted or
 * reordered outside Fieldline breaks it).
 */
import { fail, once, pass, skip, type CheckDefinition } from './check';
import type { StationProbes } from './probes';

const RESET = 'copy fieldline.db aside for support, then start a new store: fieldline store reset (the old file is kept beside it)';

export function storeChecks(probes: Pick<StationProbes, 'store'>): CheckDefinition[] {
  const store = once(() => probes.store());
  return [
    {
      id: 'store.integrity',
      title: 'Store integrity (PRAGMA quick_check)',
      async run() {
        const s = await store();
        if (s === undefined) return skip('no store yet: the first command that records something makes it');
        if (!Array.isArray(s.quickCheck)) return fail(`the store cannot be opened: ${s.quickCheck.error}`, RESET);
        if (s.quickCheck.length === 1 && s.quickCheck[0] === 'ok') return pass('quick_check: ok');
        return fail(`quick_check found ${s.quickCheck.length} problem(s): ${s.quickCheck.slice(0, 3).join('; ')}`, RESET);
      },
    },
    {
      id: 'store.audit',
      title: 'Audit log chain intact',
      async run() {
        const s = await store();
        if (s === undefined) return skip('no store yet, so no audit log');
        if ('error' in s.audit) return fail(`the audit log cannot be read: ${s.audit.error}`, RESET);
        if (s.audit.ok) return pass(`${s.audit.entries} entries, chain intact`);
        const at = s.audit.problem ? `at entry ${s.audit.problem.seq}: ${s.audit.problem.reason}` : 'somewhere';
        return fail(`the audit chain is broken ${at} — an entry was changed outside Fieldline`, 'keep fieldline.db as it is for investigation and tell the station’s administrator (fieldline audit verify shows the break)');
      },
    },
  ];
}
