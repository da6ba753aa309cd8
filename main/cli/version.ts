/** The installed Fieldline version, from package.json beside the sources (or the CLI bundle, two folders down). */
import { readFileSync } from 'node:fs';

export function fieldlineVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
