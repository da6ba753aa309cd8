/**
 * The contract as the untrusted renderer meets it: every method has an argument tuple and a result schema, every
 * argument is bounded (strings, lists, records), objects refuse fields they do not describe, and the derived
 * client exposes exactly the methods and events described.
 */
import { describe, expect, it } from 'vitest';
import { eventNames, events, isEventName, isMethodName, methodNames, methods, type MethodName } from './api';
import { LIMITS } from './bounds';
import { createClient } from './client';
import { ERROR_CODES } from './errors';
import { ClientMessageSchema } from './ws-protocol';

const parse = (name: MethodName, args: unknown[]): boolean => methods[name].args.safeParse(args).success;
const uuid = '6f1c2a3b-4d5e-4f60-8a1b-2c3d4e5f6a7b';
const long = (n: number): string => 'x'.repeat(n);

describe('the contract', () => {
  it('describes the methods and events of every feature, under feature:name channels', () => {
    expect([...methodNames].sort()).toEqual(
      [
        'app:version',
        'ports:list',
        'devices:list',
        'devices:add-port',
        'devices:scan-ble',
        'doctor:run',
        'provision:start',
        'provision:cancel',
        'runs:get',
        'runs:log',
        'runs:list',
        'runs:certificate',
        'profiles:list',
        'profiles:get',
        'profiles:import',
        'queue:list',
        'queue:status',
        'queue:sync-now',
        'replace:start',
        'queue:export-bundle',
        'drift:check',
        'drift:fix',
        'service:inspect',
        'service:diagnose',
        'service:remediate',
        'service:update',
        'service:renew',
        'station:status',
        'settings:get',
        'settings:set-registry',
        'settings:set-operator',
        'settings:unlock-ca',
        'settings:set-printer',
        'settings:set-ble-adapter',
        'line:state',
        'line:start',
        'line:stop',
        'line:scan',
        'line:slot-stop',
        'line:slot-start',
        'settings:set-fixture-labels',
        'settings:set-operator-sound',
        'runs:print-label',
        'settings:set-idle-lock',
        'session:get',
        'session:sign-in',
        'session:sign-out',
        'session:touch',
        'console:info',
        'console:images',
        'console:image',
        'console:fs-list',
        'console:fs-download',
        'console:fs-upload',
        'console:fs-hash',
        'console:settings-names',
        'console:settings-get',
        'console:settings-set',
        'console:settings-delete',
        'console:settings-save',
        'console:shell',
        'console:stats',
      ].sort(),
    );
    expect([...eventNames].sort()).toEqual(
      [
        'log',
        'device:attached',
        'device:detached',
        'device:state',
        'device:rssi',
        'run:started',
        'run:step',
        'run:progress',
        'run:log',
        'run:diagnostic',
        'run:finished',
        'profiles:changed',
        'queue:state',
        'station:status',
        'settings:changed',
        'line:status',
        'line:slot',
        'line:kpis',
        'session:changed',
      ].sort(),
    );
    expect(isMethodName('toString')).toBe(false);
    expect(isEventName('__proto__')).toBe(false);
  });

  it('builds a client with exactly one function per method and event', () => {
    const api = createClient({ invoke: async () => ({ ok: true, value: null }), subscribe: () => () => {} });
    expect(Object.keys(api.invoke).sort()).toEqual([...methodNames].sort());
    expect(Object.keys(api.on).sort()).toEqual([...eventNames].sort());
    expect(Object.isFrozen(api.invoke)).toBe(true);
  });

  it('gives every code a message, and the codes the UI needs a fix', () => {
    for (const code of ['DEVICE_BUSY', 'DEVICE_NOT_FOUND', 'CA_LOCKED', 'PROFILE_NOT_FOUND', 'PROFILE_EXISTS', 'STATION_UNREACHABLE', 'LINE_RUNNING', 'LINE_NOT_RUNNING'] as const) {
      expect(ERROR_CODES[code].hint, code).toBeTruthy();
    }
  });
});

describe('argument bounds', () => {
  it('takes no arguments where none are described', () => {
    for (const name of ['devices:list', 'profiles:list', 'queue:status', 'station:status', 'settings:get'] as const) {
      expect(parse(name, []), name).toBe(true);
      expect(parse(name, [{}]), name).toBe(false);
    }
  });

  it('refuses fields an argument does not describe', () => {
    expect(parse('devices:add-port', [{ path: '/dev/ttyACM0' }])).toBe(true);
    expect(parse('devices:add-port', [{ path: '/dev/ttyACM0', baud: 9600 }])).toBe(false);
    expect(parse('provision:cancel', [{ runId: uuid, force: true }])).toBe(false);
  });

  it('bounds paths, names and ids, and refuses control characters', () => {
    expect(parse('devices:add-port', [{ path: `/dev/${long(LIMITS.path)}` }])).toBe(false);
    expect(parse('devices:add-port', [{ path: '' }])).toBe(false);
    expect(parse('devices:add-port', [{ path: '/dev/tty\nUSB0' }])).toBe(false);
    expect(parse('settings:set-operator', [{ name: 'Ada Lovelace' }])).toBe(true);
    expect(parse('settings:set-operator', [{ name: long(LIMITS.name + 1) }])).toBe(false);
    expect(parse('settings:set-operator', [{ name: 'Ada\u001b[31m' }])).toBe(false);
    expect(parse('runs:get', [{ runId: 'not-a-uuid' }])).toBe(false);
    expect(parse('runs:get', [{ runId: uuid }])).toBe(true);
  });

  it('bounds batch variables: names, count and value length', () => {
    const start = (variables: Record<string, string>): boolean => parse('provision:start', [{ deviceId: 'serial:/dev/ttyACM0', profilePath: '/p/a.yaml', variables }]);
    expect(start({ site: 'MUC-3' })).toBe(true);
    expect(start({ 'bad name': 'x' })).toBe(false);
    expect(start({ site: long(LIMITS.variableValue + 1) })).toBe(false);
    expect(start(Object.fromEntries(Array.from({ length: LIMITS.variables + 1 }, (_, i) => [`v${i}`, 'x'])))).toBe(false);
  });

  it('bounds an imported profile to 1 MiB and its signature to 4 KiB', () => {
    const imp = (content: string, signature?: string): boolean => parse('profiles:import', [{ fileName: 'a.yaml', content, ...(signature !== undefined ? { signature } : {}) }]);
    expect(imp('name: a\n')).toBe(true);
    expect(imp(long(LIMITS.profileChars + 1))).toBe(false);
    expect(imp('')).toBe(false);
    expect(imp('name: a\n', long(LIMITS.signatureChars + 1))).toBe(false);
  });

  it('accepts only http(s) registry URLs and tokens without spaces', () => {
    expect(parse('settings:set-registry', [{ url: 'https://registry.example.com' }])).toBe(true);
    expect(parse('settings:set-registry', [{ url: 'https://registry.example.com', token: 'flt_abc' }])).toBe(true);
    expect(parse('settings:set-registry', [{ url: 'file:///etc/passwd' }])).toBe(false);
    expect(parse('settings:set-registry', [{ url: 'https://r.example', token: 'a b' }])).toBe(false);
    expect(parse('settings:unlock-ca', [{ passphrase: long(LIMITS.passphrase + 1) }])).toBe(false);
  });

  it('bounds a Bluetooth scan: an optional duration of 0.5-30 s, nothing else; RSSI within what Bluetooth reports', () => {
    expect(parse('devices:scan-ble', [])).toBe(true);
    expect(parse('devices:scan-ble', [{}])).toBe(true);
    expect(parse('devices:scan-ble', [{ durationMs: 4000 }])).toBe(true);
    expect(parse('devices:scan-ble', [{ durationMs: 499 }])).toBe(false);
    expect(parse('devices:scan-ble', [{ durationMs: 30_001 }])).toBe(false);
    expect(parse('devices:scan-ble', [{ durationMs: 1.5e3 + 0.5 }])).toBe(false);
    expect(parse('devices:scan-ble', [{ durationMs: 4000, adapter: 'virtual' }])).toBe(false);
    expect(parse('settings:set-ble-adapter', [{ adapter: 'virtual' }])).toBe(true);
    expect(parse('settings:set-ble-adapter', [{ adapter: 'hci1' }])).toBe(false);
    const rssi = events['device:rssi'];
    expect(rssi.safeParse({ id: 'ble:c0:11:22:33:44:55', rssi: -60 }).success).toBe(true);
    expect(rssi.safeParse({ id: 'ble:c0:11:22:33:44:55', rssi: 127 }).success).toBe(false);
    expect(rssi.safeParse({ id: 'ble:c0:11:22:33:44:55', rssi: -60.5 }).success).toBe(false);
  });

  it('takes an optional query for runs:list, bounded', () => {
    expect(parse('runs:list', [])).toBe(true);
    expect(parse('runs:list', [{ limit: 10 }])).toBe(true);
    expect(parse('runs:list', [{ limit: 1_000_000 }])).toBe(false);
  });

  it('checks event payloads as strictly as results', () => {
    const half = { runId: uuid, step: 'firmware', op: 'image upload', done: 5000, total: 10_000, bytesPerSecond: 7000, etaSeconds: 1 };
    expect(events['run:progress'].safeParse(half).success).toBe(true);
    expect(events['run:progress'].safeParse({ ...half, etaSeconds: null, bytesPerSecond: 0 }).success).toBe(true);
    expect(events['run:progress'].safeParse({ ...half, done: -1 }).success).toBe(false);
    // The old shape (a message with a fraction) is no longer a progress event.
    expect(events['run:progress'].safeParse({ runId: uuid, step: 'firmware', message: 'upload 50%', fraction: 0.5, bytesPerSecond: 7000 }).success).toBe(false);
    expect(events['run:step'].safeParse({ runId: uuid, step: 'firmware', state: 'running', startedAt: '2026-01-01T00:00:00.000Z', message: 'waiting: reboot' }).success).toBe(true);
    expect(events['device:state'].safeParse({ id: 'serial:/dev/ttyACM0', state: 'exploded' }).success).toBe(false);
  });
});

describe('the WebSocket messages', () => {
  it('accepts calls and auth, bounded, and nothing else', () => {
    expect(ClientMessageSchema.safeParse({ type: 'call', id: 1, method: 'app:version', args: [] }).success).toBe(true);
    expect(ClientMessageSchema.safeParse({ type: 'auth', token: 't' }).success).toBe(true);
    expect(ClientMessageSchema.safeParse({ type: 'call', id: -1, method: 'app:version', args: [] }).success).toBe(false);
    expect(ClientMessageSchema.safeParse({ type: 'call', id: 1, method: long(65), args: [] }).success).toBe(false);
    expect(ClientMessageSchema.safeParse({ type: 'call', id: 1, method: 'x', args: Array(9).fill(0) }).success).toBe(false);
    expect(ClientMessageSchema.safeParse({ type: 'event', name: 'log', payload: {} }).success).toBe(false);
  });
});
