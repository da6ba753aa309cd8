import { describe, expect, it } from 'vitest';
import { FieldlineError } from '../errors';
import type { WatchedPort } from './port-watch';
import { matchesRules, parseSerialPattern, parseUsbIds } from './rules';

const usb: WatchedPort = { path: '/dev/ttyACM0', source: 'usb', vid: '2fe3', pid: '0100', serialNumber: 'ABC123' };
const virtual: WatchedPort = { path: '/ports/GW1', source: 'virtual', serialNumber: 'GW1' };
const fixed: WatchedPort = { path: '/dev/ttyS9', source: 'fixed' };

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FieldlineError);
    expect((err as FieldlineError).code).toBe('INVALID_ARGUMENT');
    return (err as Error).message;
  }
  throw new Error('expected INVALID_ARGUMENT');
}

describe('station rules', () => {
  it('match USB ids whatever their case, prefix or padding; a missing pid matches the whole vendor', () => {
    expect(matchesRules(usb, { usb: [{ vid: '0x2FE3', pid: '100' }] })).toBe(true);
    expect(matchesRules(usb, { usb: [{ vid: '2fe3' }] })).toBe(true);
    expect(matchesRules(usb, { usb: [{ vid: '1915' }, { vid: '2fe3', pid: '0200' }] })).toBe(false);
    expect(matchesRules(usb, { noUsb: true })).toBe(false);
    expect(matchesRules(virtual, { noUsb: true, usb: [{ vid: '1915' }] })).toBe(true);
    expect(matchesRules(virtual, { virtual: false })).toBe(false);
  });

  it('match the serial pattern on USB and virtual ports; a port without a serial fails it; fixed ports are exempt', () => {
    expect(matchesRules(usb, { serialPattern: /^ABC\d+$/ })).toBe(true);
    expect(matchesRules(virtual, { serialPattern: /^ABC/ })).toBe(false);
    expect(matchesRules({ ...usb, serialNumber: undefined }, { serialPattern: /./ })).toBe(false);
    expect(matchesRules(fixed, { serialPattern: /^ABC/ })).toBe(true);
    // A global regex's lastIndex does not make every other call fail.
    const g = /ABC/g;
    expect(matchesRules(usb, { serialPattern: g })).toBe(true);
    expect(matchesRules(usb, { serialPattern: g })).toBe(true);
  });

  it('parse --usb as VID[:PID] lists, refusing anything else in words', () => {
    expect(parseUsbIds('2FE3:100, 1915 ,0x0483:5740')).toEqual([{ vid: '2fe3', pid: '0100' }, { vid: '1915' }, { vid: '0483', pid: '5740' }]);
    expect(message(() => parseUsbIds(''))).toMatch(/VID\[:PID\]/);
    expect(message(() => parseUsbIds('2fe3:0100:7'))).toMatch(/"2fe3:0100:7" is not VID\[:PID\]/);
    expect(message(() => parseUsbIds('zz'))).toMatch(/"zz"/);
    expect(message(() => parseUsbIds('12345'))).toMatch(/1–4 digits/);
    expect(message(() => parseUsbIds('2fe3:'))).toMatch(/"2fe3:"/);
  });

  it('compile --serial-pattern or say why not', () => {
    expect(parseSerialPattern('^GW[0-9A-F]{8}$').test('GW0000ABCD')).toBe(true);
    expect(message(() => parseSerialPattern('GW(['))).toMatch(/"GW\(\[" is not a valid regular expression/);
    expect(message(() => parseSerialPattern(''))).toMatch(/1 to 500/);
  });
});
