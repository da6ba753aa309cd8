/**
 * A separate process that revokes certificates with a station CA:
 *   node --import tsx revoke-child.ts <data-dir> <passphrase> <prefix> <count> <start-at-epoch-ms>
 * The CA tests start several at once to show that revocations from different processes (two provisioning runs
 * repairing together, a station beside the CLI) all reach the revocation list. Prints "done <count>".
 */
import { openStationCa } from '../pki/station-ca';

const [dataDir, passphrase, prefix, countText, startAt] = process.argv.slice(2);
if (!dataDir || !passphrase || !prefix || !countText) {
  process.stderr.write('usage: revoke-child <data-dir> <passphrase> <prefix> <count> [start-at-epoch-ms]\n');
  process.exit(2);
}
const ca = await openStationCa(dataDir, passphrase);
// Processes load at different speeds; waiting for a common moment makes their revocations really overlap.
const wait = Number(startAt ?? 0) - Date.now();
if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
const count = Number(countText);
for (let i = 0; i < count; i += 1) await ca.revoke(`${prefix}${i.toString(16).padStart(4, '0')}`, `test ${prefix}`);
process.stdout.write(`done ${count}\n`);
