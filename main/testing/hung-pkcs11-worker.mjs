// A stand-in for the PKCS#11 worker whose token hangs the thread: it answers `open` and `find` like a token, and on
// `sign` — or on `open` of a token labelled "hang" — it blocks its thread for good, as a module stuck in a
// synchronous C_Login or C_Sign would, so only the main thread's time limit can end the call (pkcs11-remote.test.ts).
import { parentPort } from 'node:worker_threads';

const point = new Uint8Array(65);
point[0] = 4;

parentPort?.on('message', (request) => {
  if (request.op === 'sign' || (request.op === 'open' && request.options.tokenLabel === 'hang')) {
    // Atomics.wait on a buffer nobody notifies: the thread sleeps and never returns to its event loop.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  }
  const value =
    request.op === 'open'
      ? { session: 1, token: { label: 'station', serial: '1', manufacturer: 'fake', model: 'fake' }, location: { module: '/fake.so', tokenLabel: 'station' } }
      : request.op === 'find'
        ? { ref: 2, label: 'ca', id: 'abcd', curve: 'P-256', point }
        : null;
  parentPort?.postMessage({ id: request.id, ok: true, value });
});
parentPort?.postMessage('ready');
