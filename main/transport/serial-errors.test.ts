import { describe, expect, it } from 'vitest';
import { describeError } from '../contract/errors';
import { openError, vanishedError } from './serial-errors';

// Messages as @serialport/bindings-cpp words them on Linux ("<strerror>, cannot open <path>").
describe('serial open errors', () => {
  it.each([
    ['Error: Permission denied, cannot open /dev/ttyACM0', 'PORT_PERMISSION_DENIED'],
    ['Error Resource temporarily unavailable Cannot lock port', 'PORT_BUSY'],
    ['Error: Device or resource busy, cannot open /dev/ttyACM0', 'PORT_BUSY'],
    ['Error: No such file or directory, cannot open /dev/ttyACM9', 'PORT_NOT_FOUND'],
    ['Error: Input/output error, cannot open /dev/ttyACM0', 'PORT_OPEN_FAILED'],
  ])('%s → %s', (message, code) => {
    expect(openError('/dev/ttyACM0', new Error(message)).code).toBe(code);
  });

  it('tells a technician how to fix permission denied on Linux', () => {
    const err = openError('/dev/ttyACM0', new Error('Error: Permission denied, cannot open /dev/ttyACM0'));
    const words = describeError(err.code, err.message);
    expect(words.message).toContain('/dev/ttyACM0');
    expect(words.hint).toMatch(/dialout/);
    expect(words.hint).toMatch(/udev/);
  });

  it('names the port that vanished', () => {
    expect(vanishedError('/dev/ttyACM0', new Error('EIO')).message).toMatch(/\/dev\/ttyACM0 went away.*EIO/);
  });
});
