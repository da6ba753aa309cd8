/**
 * Is a typed path a serial port? The renderer may name any path, and merely opening some device files has effects
 * (opening /dev/watchdog arms the watchdog, which then reboots the machine), so a port added by hand must be a terminal
 * device before anything opens it: on Linux a character device of sysfs's tty class, or a pseudo-terminal slave
 * (Unix98 majors 136–143, which sysfs does not list); on macOS a /dev/cu.* or /dev/tty.* node; on Windows a COM port.
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, normalize } from 'node:path';
import { FieldlineError } from '../errors';

const PTY_SLAVE_MAJORS = { first: 136n, last: 143n };

function majorMinor(rdev: bigint): { major: bigint; minor: bigint } {
  // glibc's gnu_dev_major/gnu_dev_minor encoding.
  const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn);
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & ~0xffn);
  return { major, minor };
}

export async function isSerialDevice(path: string, platform: NodeJS.Platform = process.platform): Promise<boolean> {
  if (platform === 'win32') return /^(\\\\\.\\)?COM[0-9]{1,3}$/i.test(path);
  try {
    const info = await stat(path, { bigint: true });
    if (!info.isCharacterDevice()) return false;
    if (platform === 'darwin') return /^\/dev\/(cu|tty)\.[^/]+$/.test(await realpath(path));
    if (platform !== 'linux') return true;
    const { major, minor } = majorMinor(info.rdev);
    if (major >= PTY_SLAVE_MAJORS.first && major <= PTY_SLAVE_MAJORS.last) return true;
    const subsystem = await realpath(`/sys/dev/char/${major}:${minor}/subsystem`);
    return subsystem.endsWith('/class/tty');
  } catch {
    return false;
  }
}

/** Checks a port path added by hand: absolute, no `..`, a serial device. Returns the normalized path. */
export async function checkPortPath(raw: string, isPortPath: (path: string) => Promise<boolean> = isSerialDevice): Promise<string> {
  const windowsCom = /^(\\\\\.\\)?COM[0-9]{1,3}$/i.test(raw);
  if (!windowsCom && (!isAbsolute(raw) || raw.split(/[\\/]/).includes('..'))) {
    throw new FieldlineError('INVALID_ARGUMENT', `a port is an absolute device path such as /dev/ttyACM0, not "${raw}"`);
  }
  const path = windowsCom ? raw : normalize(raw);
  if (!(await isPortPath(path))) throw new FieldlineError('PORT_NOT_FOUND', `${path} is not a serial port`);
  return path;
}
