// Preloaded into a CLI under test (NODE_OPTIONS=--import=<this file>): on exit, the process's peak resident memory
// as the kernel counts it (getrusage's maxrss, worker threads included) goes to stderr on a line of its own, which
// peakRssKb() in tests reads back.
import { isMainThread } from 'node:worker_threads';

if (isMainThread) process.on('exit', () => process.stderr.write(`\nfieldline-test: peak RSS ${process.resourceUsage().maxRSS} kB\n`));
