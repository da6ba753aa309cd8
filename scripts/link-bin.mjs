/**
 * Puts `fieldline` in node_modules/.bin (npm's prepare, after `npm ci`), so `npx fieldline` in this checkout runs
 * bin/fieldline.js at once.
 *
 * Why not package.json's "bin": npx resolves a name that is the project's *own* bin by installing the project into
 * its npx cache (arborist loads the whole dependency tree first): 1.3 s before the CLI starts, measured with npm 11.
 * A name found in node_modules/.bin is run directly (0.4 s, most of it npm's own start). The project is private and
 * never installed as a dependency, so "bin" bought nothing but that delay; `npm link` users link bin/fieldline.js
 * themselves (README, "Install").
 */
import { lstatSync, mkdirSync, readlinkSync, symlinkSync, unlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const binDir = join(root, 'node_modules', '.bin');
const link = join(binDir, 'fieldline');
const target = relative(binDir, join(root, 'bin', 'fieldline.js'));

function currentTarget() {
  try {
    return lstatSync(link).isSymbolicLink() ? readlinkSync(link) : 'not a link';
  } catch {
    return undefined;
  }
}

const current = currentTarget();
if (current !== target) {
  mkdirSync(binDir, { recursive: true });
  if (current !== undefined) unlinkSync(link);
  symlinkSync(target, link);
}
