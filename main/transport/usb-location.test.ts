/** A USB serial port's hub port path: from sysfs on Linux, from serialport's locationId elsewhere. */
import { describe, expect, it } from 'vitest';
import { cleanLocation, linuxUsbLocation, usbPortPathOf } from './usb-location';

describe('usbPortPathOf', () => {
  it('takes the hub port path out of a USB interface path, hubs nested or not', () => {
    expect(usbPortPathOf('/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1.4/1-1.4:1.0')).toBe('1-1.4');
    expect(usbPortPathOf('/sys/devices/pci0000:00/0000:00:14.0/usb3/3-2/3-2.1/3-2.1.3/3-2.1.3:1.2')).toBe('3-2.1.3');
    expect(usbPortPathOf('/sys/devices/pci0000:00/0000:00:14.0/usb1/1-7/1-7:1.0')).toBe('1-7');
  });

  it('says nothing for a device that is not on USB (a built-in UART)', () => {
    expect(usbPortPathOf('/sys/devices/pnp0/00:00/00:00:0/00:00:0.0')).toBeUndefined();
    expect(usbPortPathOf('/sys/devices/platform/serial8250')).toBeUndefined();
  });
});

describe('linuxUsbLocation', () => {
  it('resolves /sys/class/tty/<name>/device', async () => {
    const asked: string[] = [];
    const resolve = async (path: string): Promise<string> => {
      asked.push(path);
      return '/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1.2/1-1.2:1.0';
    };
    expect(await linuxUsbLocation('/dev/ttyACM3', resolve)).toBe('1-1.2');
    expect(asked).toEqual(['/sys/class/tty/ttyACM3/device']);
  });

  it('is undefined when sysfs has no such tty, and never resolves a name that could leave /sys/class/tty', async () => {
    const missing = async (): Promise<string> => {
      throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    };
    expect(await linuxUsbLocation('/dev/ttyACM9', missing)).toBeUndefined();
    let asked = false;
    expect(await linuxUsbLocation('/dev/a b', async () => ((asked = true), ''))).toBeUndefined();
    expect(asked).toBe(false);
  });
});

describe('cleanLocation', () => {
  it('keeps printable characters, bounded, and drops an empty one', () => {
    expect(cleanLocation('Port_#0001.Hub_#0004')).toBe('Port_#0001.Hub_#0004');
    expect(cleanLocation('\u0007 ')).toBeUndefined();
    expect(cleanLocation('x'.repeat(500))).toHaveLength(128);
    expect(cleanLocation(undefined)).toBeUndefined();
  });
});
