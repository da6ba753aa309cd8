// Entry of the profile loader's worker when Fieldline runs from its TypeScript sources (the CLI, the station, the
// tests): a worker thread does not inherit the parent's tsx loader, so it registers its own before importing the
// worker. A build (electron-vite) bundles loader-worker.ts into out/main/loader-worker.js and needs none of this.
import { register } from 'tsx/esm/api';

register();
await import('./loader-worker.ts');
