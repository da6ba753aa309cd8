/**
 * Where a USB serial port is plugged in: the physical hub port path, which stays the same when a board is swapped
 * for the next one — unlike the tty name (ttyACM3 goes to whichever board enumerates fourth) or the board's serial.
 * A line's fixture positions are named after it (main/core/settings.ts, fixtureLabels).
 *
 * On Linux serialport reports no location, so it is read from sysfs: /sys/class/tty/<name>/device resolves to the
 * USB interface, `…/usb1/1-1/1-1.4/1-1.4:1.0`, whose parent `1-1.4` (bus 1, root port 1, hub port 4) is the
 * location. On macOS and Windows serialport's own `locationId` is the same idea and is used as reported.
 */
import { realpath } from 'node:fs/promises';
import { basename } from 'node:path';
import { FIXTURE_LIMITS } from '../contract/fixtures';
import { cleanPrintable } from './usb-descriptors';

/** A location is shown and stored: bounded as a fixture position's location is (main/contract/fixtures.ts). */
export const MAX_LOCATION = FIXTURE_LIMITS.location;

/** `1-1.4` out of the resolved sysfs path of a tty's device (a USB interface), or undefined for anything else. */
export function usbPortPathOf(sysfsDevice: string): string | undefined {
  const match = /\/(\d+-\d+(?:\.\d+)*):\d+\.\d+$/.exec(sysfsDevice);
  return match?.[1];
}

/** serialport's `locationId` when it has one (macOS, Windows), bounded to printable characters. */
export function cleanLocation(value: string | undefined): string | undefined {
  return cleanPrintable(value, MAX_LOCATION);
}

/** The hub port path of a Linux tty (`/dev/ttyACM0`), or undefined when it is not a USB device or sysfs says nothing. */
export async function linuxUsbLocation(ttyPath: string, resolve: (path: string) => Promise<string> = realpath): Promise<string | undefined> {
  const name = basename(ttyPath);
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) return undefined;
  try {
    return usbPortPathOf(await resolve(`/sys/class/tty/${name}/device`));
  } catch {
    return undefined;
  }
}
