#!/usr/bin/env node
// The `fieldline` command. The sources are TypeScript; tsx's loader runs them directly, so `npx fieldline`
// works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../main/cli/index.ts');
await main(process.argv);
