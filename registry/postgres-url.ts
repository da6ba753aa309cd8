/**
 * The registry's --database URL: only postgres:// or postgresql://, and shown anywhere (the served banner, errors,
 * logs) without its password — the one secret an operator's command line may hold.
 */
import { FieldlineError } from '../main/errors';

export function isPostgresUrl(value: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(value.trim());
}

/** `value` without a password (and without a query string, which may carry one as `password=`). */
export function redactDatabaseUrl(value: string): string {
  try {
    const url = new URL(value);
    url.password = '';
    url.search = '';
    return url.toString();
  } catch {
    // Not parseable: show only the scheme, since the rest may hold a password we cannot find.
    return `${value.split(':')[0] ?? 'database'}://…`;
  }
}

/** The URL as given when it is one the registry can use, or INVALID_ARGUMENT saying why (password withheld). */
export function checkPostgresUrl(value: string): string {
  const shown = redactDatabaseUrl(value);
  if (!isPostgresUrl(value)) throw new FieldlineError('INVALID_ARGUMENT', `--database must be a postgres:// URL (postgres://user:password@host:port/database), not ${JSON.stringify(shown)}`);
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new FieldlineError('INVALID_ARGUMENT', `--database is not a valid URL: ${shown}`);
  }
  if (url.pathname.replace(/^\//, '') === '') throw new FieldlineError('INVALID_ARGUMENT', `--database must name a database (…/DATABASE): ${shown}`);
  return value.trim();
}
