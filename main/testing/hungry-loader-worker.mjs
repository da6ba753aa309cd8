// A stand-in for the profile loader's worker that, given a job, allocates until its heap limit stops it: what no
// profile can do past load.ts's limits, but what the worker's resourceLimits exist for (isolated-loader.test.ts).
import { parentPort } from 'node:worker_threads';

parentPort?.on('message', () => {
  const hoard = [];
  for (;;) hoard.push(new Array(100_000).fill({ x: hoard.length }));
});
parentPort?.postMessage('ready');
