/**
 * One scoped logger factory. Domain code receives a Logger and never writes to the console itself, so the CLI,
 * the Electron main process and the tests decide where lines go. Secrets are redacted before a line leaves.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogRecord {
  level: LogLevel;
  scope: string;
  message: string;
  fields?: Record<string, unknown>;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(scope: string): Logger;
}

export type LogSink = (record: LogRecord) => void;

const SECRET_KEY = /pass(word|phrase)?|secret|token|private|^key$|[_-]key$|apikey/i;

/** Replaces values of secret-looking fields (`passphrase`, `token`, `privateKey`, `key`, `api_key`…); `publicKey` is kept. */
export function redact(fields: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!fields) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : v;
  return out;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(scope: string, sink: LogSink = () => {}, minLevel: LogLevel = 'debug'): Logger {
  const emit = (level: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (LEVELS[level] < LEVELS[minLevel]) return;
    const redacted = redact(fields);
    sink(redacted ? { level, scope, message, fields: redacted } : { level, scope, message });
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (sub) => createLogger(`${scope}:${sub}`, sink, minLevel),
  };
}

/** A logger that drops everything: the default for library code used without one. */
export const silentLogger: Logger = createLogger('silent', () => {}, 'error');
