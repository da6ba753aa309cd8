/**
 * serialport reports failures as plain Errors with OS wording; the technician needs to know which of a few
 * things happened and what to do about it. This maps them to stable codes.
 */
import { FieldlineError } from '../errors';

export function openError(path: string, err: unknown): FieldlineError {
  const text = err instanceof Error ? err.message : String(err);
  if (/permission denied|EACCES|access denied/i.test(text)) {
    return new FieldlineError('PORT_PERMISSION_DENIED', `permission denied on ${path}`, { path }, { cause: err });
  }
  if (/cannot lock port|resource busy|EBUSY|resource temporarily unavailable/i.test(text)) {
    return new FieldlineError('PORT_BUSY', `${path} is in use by another program`, { path }, { cause: err });
  }
  if (/no such file|ENOENT|not found|cannot find/i.test(text)) {
    return new FieldlineError('PORT_NOT_FOUND', `no serial port at ${path}`, { path }, { cause: err });
  }
  // /dev/null, a regular file or a folder given as --port: the OS's words ("Inappropriate ioctl for device setting
  // custom baud rate") say nothing a technician can act on.
  if (/inappropriate ioctl|ENOTTY/i.test(text)) {
    return new FieldlineError('PORT_NOT_SERIAL', `${path} is not a serial port`, { path }, { cause: err });
  }
  if (/is a directory|EISDIR/i.test(text)) {
    return new FieldlineError('PORT_NOT_SERIAL', `${path} is a directory, not a serial port`, { path }, { cause: err });
  }
  return new FieldlineError('PORT_OPEN_FAILED', `cannot open ${path}: ${text}`, { path }, { cause: err });
}

export function vanishedError(path: string, err?: unknown): FieldlineError {
  const why = err instanceof Error ? `: ${err.message}` : '';
  return new FieldlineError('PORT_VANISHED', `${path} went away (device unplugged or reset)${why}`, { path }, { cause: err });
}
