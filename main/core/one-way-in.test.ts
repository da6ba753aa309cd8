/**
 * Issue #13's "one way in", checked on the sources: outside main/core no production file opens the store or the
 * station CA, and runProvisioning is called by the core's runner alone. A front end that starts assembling its own
 * parts again fails here, with the file and line to fix.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../testing/cli';

const MAIN = join(REPO_ROOT, 'main');

/** Production sources: every .ts under main/ but tests and the shared test helpers. */
function productionFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'testing' && dir === MAIN ? [] : productionFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** `file:line` of every call of `name` (its definition and mentions in comments are not calls). */
function callsOf(name: string): string[] {
  const call = new RegExp(`\\b${name}\\(`);
  const definition = new RegExp(`function ${name}\\(`);
  return productionFiles(MAIN).flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, i) => {
        const code = line.trim();
        if (!call.test(code) || definition.test(code) || code.startsWith('*') || code.startsWith('//')) return [];
        return [`${relative(REPO_ROOT, file)}:${i + 1}`];
      }),
  );
}

const file = (at: string): string => at.slice(0, at.lastIndexOf(':'));

describe('one way in (issue #13)', () => {
  it('runProvisioning has one production caller: the core runner', () => {
    expect(callsOf('runProvisioning').map(file)).toEqual(['main/core/runner.ts']);
  });

  it('the store and the station CA are opened only by the core (and the store by its own reset)', () => {
    expect(callsOf('openStationCa').map(file)).toEqual(['main/core/ca.ts']);
    // `fieldline store reset` looks at a store that may not open at all: that check is the store module's own.
    expect(callsOf('openStore').map(file).sort()).toEqual(['main/core/core.ts', 'main/store/reset.ts']);
  });
});
