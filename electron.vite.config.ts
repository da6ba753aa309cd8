import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { PluginOption } from 'vite';
import { electronBinary, electronMissingMessage } from './scripts/electron-missing.mjs';

/** Native modules are loaded from node_modules at run time (and unpacked from the asar), never bundled. */
const nativeModules = ['serialport', '@serialport/bindings-cpp', 'better-sqlite3', '@abandonware/noble', 'pkcs11js', 'graphene-pk11'];

/**
 * The dev server injects an inline React Refresh preamble and inline <style> tags, which the strict CSP of
 * renderer/index.html refuses. Relax it under `electron-vite dev` only; the built app keeps the strict policy.
 */
const devCsp: PluginOption = {
  name: 'fieldline:dev-csp',
  apply: 'serve',
  transformIndexHtml: (html: string) =>
    html
      .replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
      .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
};

/**
 * `npm run dev` (electron-vite's dev server, then Electron) on a machine installed without the Electron binary: the
 * message `npm start` gives (scripts/electron-missing.mjs) — advice that holds offline — instead of electron-vite's
 * "Electron uninstall" after the build. Only the dev server needs the binary: `electron-vite build` runs without it.
 */
function exitWithoutElectron(): void {
  const binary = electronBinary();
  if (binary.path) return;
  process.stderr.write(electronMissingMessage(binary.reason ?? 'unknown'));
  process.exit(1);
}

export default defineConfig(({ command }) => {
  if (command === 'serve') exitWithoutElectron();
  return {
    main: {
      build: {
        outDir: 'out/main',
        externalizeDeps: { include: nativeModules },
        // The worker threads are entries of their own: main/profiles/isolated-loader.ts and main/pki/pkcs11-remote.ts start
        // them by file name.
        rolldownOptions: {
          input: {
            index: resolve('main/electron/index.ts'),
            'loader-worker': resolve('main/profiles/loader-worker.ts'),
            'pkcs11-worker': resolve('main/pki/pkcs11-worker.ts'),
          },
        },
      },
    },
    preload: {
      build: {
        outDir: 'out/preload',
        // A sandboxed preload can require only electron (and a few polyfilled builtins): bundle everything else
        // (zod, main/contract) into one CommonJS file.
        externalizeDeps: false,
        rolldownOptions: {
          input: { index: resolve('preload/index.ts') },
          output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
        },
      },
    },
    renderer: {
      root: 'renderer',
      plugins: [react(), devCsp],
      build: {
        outDir: 'out/renderer',
        rolldownOptions: { input: { index: resolve('renderer/index.html') } },
      },
    },
  };
});
