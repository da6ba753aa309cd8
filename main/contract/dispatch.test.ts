import { describe, expect, it } from 'vitest';
import { createClient } from './client';
import { stubHandlers } from '../testing/handlers';
import { createDispatch, encodeEvent } from './dispatch';

const handlers = stubHandlers({
  'app:version': () => ({ name: 'fieldline', version: '1.2.3' }),
  'ports:list': async () => [{ path: '/dev/ttyACM0', vid: '1915' }],
});

function expectedFailure(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('createDispatch', () => {
  it('answers a call with the handler value', async () => {
    const dispatch = createDispatch(handlers);
    expect(await dispatch('app:version', [])).toEqual({ ok: true, value: { name: 'fieldline', version: '1.2.3' } });
  });

  it('refuses an unknown method and arguments outside the schema', async () => {
    const dispatch = createDispatch(handlers);
    const unknown = await dispatch('fs:delete', []);
    expect(unknown).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    const extra = await dispatch('ports:list', ['/etc/passwd']);
    expect(extra).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });

  it('drops fields the contract does not describe', async () => {
    const dispatch = createDispatch({
      ...handlers,
      'ports:list': () => [{ path: '/dev/ttyUSB0', pnpId: 'usb-secret' } as { path: string }],
    });
    expect(await dispatch('ports:list', [])).toEqual({ ok: true, value: [{ path: '/dev/ttyUSB0' }] });
  });

  it('turns an expected failure into its code and words, and a bug into INTERNAL', async () => {
    const bugs: string[] = [];
    const dispatch = createDispatch(
      stubHandlers({
        'app:version': () => {
          throw new TypeError('undefined is not a function');
        },
        'ports:list': () => {
          throw expectedFailure('PORT_PERMISSION_DENIED', '/dev/ttyACM0');
        },
      }),
      { onBug: (channel) => bugs.push(channel) },
    );
    const denied = await dispatch('ports:list', []);
    expect(denied).toEqual({
      ok: false,
      error: {
        code: 'PORT_PERMISSION_DENIED',
        message: 'Permission denied on the serial port: /dev/ttyACM0',
        hint: expect.stringContaining('dialout'),
      },
    });
    expect(await dispatch('app:version', [])).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(bugs).toEqual(['app:version']);
  });

  it('checks event payloads before they leave', () => {
    expect(encodeEvent('log', { level: 'info', scope: 'smp', message: 'hello' })).toEqual({
      level: 'info',
      scope: 'smp',
      message: 'hello',
    });
    expect(() => encodeEvent('log', { level: 'loud' as 'info', scope: 'smp', message: 'x' })).toThrow();
  });
});

describe('createClient', () => {
  it('calls every method through the transport and passes event payloads only', async () => {
    const dispatch = createDispatch(handlers);
    const listeners = new Map<string, (payload: unknown) => void>();
    const api = createClient({
      invoke: (channel, args) => dispatch(channel, args),
      subscribe: (channel, listener) => {
        listeners.set(channel, listener);
        return () => listeners.delete(channel);
      },
    });
    expect(await api.invoke['ports:list']()).toEqual({ ok: true, value: [{ path: '/dev/ttyACM0', vid: '1915' }] });

    const seen: unknown[] = [];
    const unsubscribe = api.on.log((payload) => seen.push(payload));
    listeners.get('event:log')?.({ level: 'warn', scope: 'sync', message: 'offline' });
    unsubscribe();
    expect(seen).toEqual([{ level: 'warn', scope: 'sync', message: 'offline' }]);
    expect(listeners.size).toBe(0);
  });

  it('answers INTERNAL when the transport itself fails', async () => {
    const api = createClient({
      invoke: () => Promise.reject(new Error('No handler registered for app:version')),
      subscribe: () => () => {},
    });
    expect(await api.invoke['app:version']()).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });
});
