import { describe, expect, it } from 'vitest';
import { createLogger, redact, type LogRecord } from './log';

describe('logger', () => {
  it('redacts secret fields and keeps public ones', () => {
    expect(redact({ passphrase: 'x', token: 't', privateKey: 'k', key: 'k', api_key: 'a', publicKey: 'p', serial: 's' })).toEqual({
      passphrase: '[redacted]',
      token: '[redacted]',
      privateKey: '[redacted]',
      key: '[redacted]',
      api_key: '[redacted]',
      publicKey: 'p',
      serial: 's',
    });
  });

  it('scopes child loggers and filters by level', () => {
    const lines: LogRecord[] = [];
    const log = createLogger('app', (r) => lines.push(r), 'info').child('smp');
    log.debug('hidden');
    log.warn('shown', { token: 'secret' });
    expect(lines).toEqual([{ level: 'warn', scope: 'app:smp', message: 'shown', fields: { token: '[redacted]' } }]);
  });
});
