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
    ['Error: Inappropriate ioctl for device setting custom baud rate of 115200', 'PORT_NOT_SERIAL'],
    ['Error: Is a directory, cannot open /tmp', 'PORT_NOT_SERIAL'],
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

  it('says a path that is no terminal (/dev/null) is not a serial port, and where the serial ports are listed', () => {
    const err = openError('/dev/null', new Error('Error: Inappropriate ioctl for device setting custom baud rate of 115200'));
    const words = describeError(err.code, err.message);
    expect(words.message).toContain('/dev/null is not a serial port');
    expect(words.message).not.toMatch(/ioctl/);
    expect(words.hint).toContain('fieldline ports');
  });

  it('names the list a missing port is picked from', () => {
    expect(describeError('PORT_NOT_FOUND').hint).toContain('`fieldline ports`');
  });

  it('names the port that vanished', () => {
    expect(vanishedError('/dev/ttyACM0', new Error('EIO')).message).toMatch(/\/dev\/ttyACM0 went away.*EIO/);
  });
});
