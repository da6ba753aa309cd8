// Entry of the PKCS#11 worker when Fieldline runs from its TypeScript sources (the CLI, the station, the tests): a
// worker thread does not inherit the parent's tsx loader, so it registers its own before importing the worker. A
// build (the CLI bundle, electron-vite) makes pkcs11-worker.ts its own entry, pkcs11-worker.js, and needs none of this.
import { register } from 'tsx/esm/api';

register();
await import('./pkcs11-worker.ts');
