/**
 * USB descriptor strings (serial number, VID/PID) are device input: whatever a gateway or a cheap adapter puts
 * there reaches logs, the UI and run records. Discovery and the station's port watch both clean them here.
 */
const MAX_SERIAL = 200;

/** Printable characters only, at most `max`; undefined when nothing is left. */
export function cleanPrintable(value: string | undefined, max: number): string | undefined {
  // eslint-disable-next-line no-control-regex
  const cleaned = value?.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, max).trim();
  return cleaned ? cleaned : undefined;
}

/** A USB descriptor serial, cleaned (cleanPrintable). */
export function cleanSerial(value: string | undefined): string | undefined {
  return cleanPrintable(value, MAX_SERIAL);
}

/** A VID or PID as lower-case hex, or undefined when it is not one. */
export function cleanHex(value: string | undefined): string | undefined {
  return value && /^[0-9a-fA-F]{1,8}$/.test(value) ? value.toLowerCase() : undefined;
}
