/**
 * A separate process that appends to a store's audit log:
 *   node --import tsx audit-append-child.ts <file> <count> <actor> [start-at-epoch-ms]
 * The store tests start several at once to show that appends from different processes (the desktop app and the
 * CLI) make one valid chain. Prints "done <count>" when finished.
 */
import { openStore } from '../store/store';

const [file, countText, actor, startAt] = process.argv.slice(2);
if (!file || !countText || !actor) {
  process.stderr.write('usage: audit-append-child <file> <count> <actor> [start-at-epoch-ms]\n');
  process.exit(2);
}
const store = openStore(file);
// Processes load at different speeds; waiting for a common moment makes their appends really overlap.
const wait = Number(startAt ?? 0) - Date.now();
if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
try {
  const count = Number(countText);
  for (let i = 0; i < count; i += 1) {
    store.appendAudit({ actor, action: 'test.append', subject: `${actor}-${i}`, details: { i } });
    // A process that appends in a tight loop re-takes the lock before the others' busy handlers wake up; the app
    // and the CLI append now and then, so pause as they would.
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  process.stdout.write(`done ${count}\n`);
} finally {
  store.close();
}
