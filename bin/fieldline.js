#!/usr/bin/env node
// The `fieldline` command. It runs the CLI bundle (out/cli, scripts/cli-bundle.mjs) when that is a build of the
// sources as they are now, rebuilding it first when a source changed; it runs the TypeScript sources through tsx
// when the bundle cannot be built (a source that does not compile: tsx then reports it as the sources say) or when
// FIELDLINE_FROM_SOURCES=1. Either way `npx fieldline` works right after `npm ci`.
import { buildCliBundle, freshBundle } from '../scripts/cli-bundle.mjs';

async function bundleEntry() {
  if (process.env.FIELDLINE_FROM_SOURCES === '1') return undefined;
  const fresh = freshBundle();
  if (fresh) return fresh;
  try {
    return await buildCliBundle();
  } catch {
    return undefined;
  }
}

const entry = await bundleEntry();
let main;
if (entry) {
  const { pathToFileURL } = await import('node:url');
  ({ main } = await import(pathToFileURL(entry).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../main/cli/index.ts'));
}
await main(process.argv);
