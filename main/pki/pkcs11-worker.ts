/**
 * The worker thread every PKCS#11 call of the station runs in (pkcs11-remote.ts starts it): TokenSession here, so a
 * token that hangs in a call pkcs11js makes synchronously (C_Initialize, C_Login, C_FindObjects…) blocks this
 * thread, never the station's event loop. Sessions and keys are named to the main thread by number; object handles
 * stay here.
 */
import { parentPort } from 'node:worker_threads';
import { FieldlineError } from '../errors';
import type { OpenedReply, Pkcs11Reply, Pkcs11Request, Pkcs11Value, RemoteKey } from './pkcs11-protocol';
import { TokenSession, type TokenKey } from './pkcs11-token';

const sessions = new Map<number, { session: TokenSession; keys: Map<number, TokenKey> }>();
let nextRef = 1;

function sessionOf(ref: number): { session: TokenSession; keys: Map<number, TokenKey> } {
  const entry = sessions.get(ref);
  if (!entry) throw new FieldlineError('PKCS11_TOKEN', 'the token session is closed');
  return entry;
}

function keyOf(entry: { keys: Map<number, TokenKey> }, ref: number): TokenKey {
  const key = entry.keys.get(ref);
  if (!key) throw new FieldlineError('PKCS11_TOKEN', 'that token key is not open in this session');
  return key;
}

function remember(entry: { keys: Map<number, TokenKey> }, key: TokenKey): RemoteKey {
  const ref = nextRef++;
  entry.keys.set(ref, key);
  return { ref, label: key.label, id: key.id, curve: key.curve, point: new Uint8Array(key.point) };
}

async function handle(request: Pkcs11Request): Promise<Pkcs11Value> {
  switch (request.op) {
    case 'open': {
      const session = await TokenSession.open(request.options);
      const ref = nextRef++;
      sessions.set(ref, { session, keys: new Map() });
      return { session: ref, token: session.token, location: session.location } satisfies OpenedReply;
    }
    case 'generate': {
      const entry = sessionOf(request.session);
      return remember(entry, await entry.session.generateEcKey(request.label, request.curve));
    }
    case 'find': {
      const entry = sessionOf(request.session);
      return remember(entry, await entry.session.findKey(request.match));
    }
    case 'sign': {
      const entry = sessionOf(request.session);
      return entry.session.signDigest(keyOf(entry, request.key), request.digest);
    }
    case 'protection': {
      const entry = sessionOf(request.session);
      return entry.session.privateKeyProtection(keyOf(entry, request.key));
    }
    case 'destroy': {
      const entry = sessionOf(request.session);
      await entry.session.destroyKey(keyOf(entry, request.key));
      entry.keys.delete(request.key);
      return null;
    }
    case 'close': {
      const entry = sessions.get(request.session);
      sessions.delete(request.session);
      await entry?.session.close();
      return null;
    }
  }
}

const port = parentPort;
if (!port) throw new Error('pkcs11-worker.ts runs as a worker thread');
port.on('message', (request: Pkcs11Request) => {
  handle(request).then(
    (value) => port.postMessage({ id: request.id, ok: true, value } satisfies Pkcs11Reply),
    (err: unknown) => {
      const reply: Pkcs11Reply =
        err instanceof FieldlineError
          ? { id: request.id, ok: false, error: { code: err.code, message: err.message, details: err.details } }
          : { id: request.id, ok: false, bug: err instanceof Error ? (err.stack ?? err.message) : String(err) };
      port.postMessage(reply);
    },
  );
});
port.postMessage('ready');
