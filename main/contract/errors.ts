/**
 * The stable error codes of Fieldline and the words a technician reads for each, with the fix where there is one.
 * Expected failures travel as values carrying one of these codes; codes are never renamed or reused, so logs, run
 * records and the CLI's JSON output stay comparable across versions.
 */

interface ErrorText {
  readonly message: string;
  readonly hint?: string;
}

export const ERROR_CODES = {
  PORT_PERMISSION_DENIED: {
    message: 'Permission denied on the serial port',
    hint:
      'add yourself to the dialout group (sudo usermod -aG dialout $USER, then log out and in) ' +
      'or install resources/udev/99-fieldline.rules',
  },
  PORT_BUSY: {
    message: 'The serial port is in use by another program',
    hint: 'close the other program (serial monitor, modem manager, another Fieldline window) and try again',
  },
  PORT_NOT_FOUND: {
    message: 'The serial port does not exist',
    hint: 'check the cable and pick the port again from the list',
  },
  PORT_VANISHED: {
    message: 'The device was unplugged during the operation',
    hint: 'reconnect the device and start the operation again',
  },
  PORT_OPEN_FAILED: {
    message: 'The serial port could not be opened',
  },
  DEVICE_TIMEOUT: {
    message: 'The device did not answer in time',
    hint: 'check that the gateway is powered and running firmware with MCUmgr (SMP) enabled',
  },
  DEVICE_DISCONNECTED: {
    message: 'The device disconnected',
    hint: 'reconnect the device and try again',
  },
  SMP_ERROR: {
    message: 'The device returned an SMP error',
  },
  SMP_GROUP_ERROR: {
    message: 'The device reported an error in an SMP group',
  },
  SMP_MALFORMED: {
    message: 'The device sent a malformed frame or packet',
    hint: 'check that nothing else (a shell or log output) shares the serial line with SMP',
  },
  UPLOAD_STALLED: {
    message: 'The upload stopped making progress',
    hint: 'check the connection and start the upload again; it resumes where the device left off',
  },
  UPLOAD_REJECTED: {
    message: 'The device rejected the upload',
    hint: 'check that the image is built and signed for this device',
  },
  INVALID_ARGUMENT: {
    message: 'Invalid argument',
  },
  FILE_NOT_FOUND: {
    message: 'File not found',
  },
  UDEV_MISSING: {
    message: 'udevadm not found: cannot list serial ports',
    hint: 'install the udev package (sudo apt-get install udev), or type the port path by hand',
  },
  SIMULATOR_FAILED: {
    message: 'The virtual gateway failed',
  },
  SOCAT_MISSING: {
    message: 'socat not found: cannot create virtual serial ports',
    hint: 'install socat (sudo apt-get install socat)',
  },
  CANCELLED: {
    message: 'Cancelled',
  },
  INTERNAL: {
    message: 'Internal error',
    hint: 'this is a bug in Fieldline; please report it with the log file',
  },
} as const satisfies Record<string, ErrorText>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An expected failure as the UI, the CLI and the wire see it. */
export interface ErrorInfo {
  readonly code: ErrorCode;
  readonly message: string;
  readonly hint?: string;
}

export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/** The technician's words for `code`; `detail` (a port path, a file name, the device's reply) is appended. */
export function describeError(code: ErrorCode, detail?: string): ErrorInfo {
  const text: ErrorText = ERROR_CODES[code];
  const message = detail ? `${text.message}: ${detail}` : text.message;
  return text.hint === undefined ? { code, message } : { code, message, hint: text.hint };
}
