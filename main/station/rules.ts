/**
 * The station's rules: which of the ports that appear are gateways to provision. USB ports by VID/PID (a hub may
 * also hold a scanner's or a printer's serial adapter), any port by its serial-number pattern, virtual gateways
 * from the ports directory. Also the parsers for the rules as command-line flags, which are operator input and
 * get the operator's words when wrong.
 */
import { FieldlineError } from '../errors';
import type { WatchedPort } from './port-watch';

export interface StationRules {
  /** USB ids as hex (case and a 0x prefix do not matter); a missing pid matches every product of the vendor. Empty/absent: any USB port with a VID. */
  usb?: Array<{ vid: string; pid?: string }>;
  /** No USB ports when true (default false: USB ports are matched by `usb`). */
  noUsb?: boolean;
  /** The port's serial number must match (a search: anchor with ^…$ for the whole serial). USB descriptor serial, or the virtual gateway's serial. */
  serialPattern?: RegExp;
  /** Virtual gateways from the ports directory (default true). */
  virtual?: boolean;
}

/** A USB id as a number: "2FE3", "2fe3" and "0x2fe3" are the same vendor; NaN when it is not hex. */
function usbId(value: string | undefined): number {
  const hex = value?.trim().replace(/^0x/i, '');
  return hex && /^[0-9a-fA-F]{1,4}$/.test(hex) ? parseInt(hex, 16) : NaN;
}

export function matchesRules(port: WatchedPort, rules: StationRules = {}): boolean {
  if (port.source === 'virtual' && rules.virtual === false) return false;
  if (port.source === 'usb') {
    if (rules.noUsb) return false;
    const ids = rules.usb ?? [];
    const vid = usbId(port.vid);
    const pid = usbId(port.pid);
    if (ids.length > 0 && !ids.some((id) => usbId(id.vid) === vid && (id.pid === undefined || usbId(id.pid) === pid))) return false;
  }
  if (rules.serialPattern && port.source !== 'fixed') {
    if (port.serialNumber === undefined) return false;
    rules.serialPattern.lastIndex = 0;
    if (!rules.serialPattern.test(port.serialNumber)) return false;
  }
  return true;
}

/** `--usb 2fe3:0100,1915` → [{vid '2fe3', pid '0100'}, {vid '1915'}] (lower-case, 4 digits). */
export function parseUsbIds(value: string): Array<{ vid: string; pid?: string }> {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new FieldlineError('INVALID_ARGUMENT', '--usb takes VID[:PID] in hex, comma-separated (e.g. 2fe3:0100,1915)');
  const hex4 = (n: number): string => n.toString(16).padStart(4, '0');
  return items.map((item) => {
    const [vidText, pidText, extra] = item.split(':');
    const vid = usbId(vidText);
    const pid = pidText === undefined ? undefined : usbId(pidText);
    if (extra !== undefined || Number.isNaN(vid) || (pid !== undefined && Number.isNaN(pid))) {
      throw new FieldlineError('INVALID_ARGUMENT', `--usb: "${item}" is not VID[:PID] in hex (1–4 digits each, e.g. 2fe3:0100)`);
    }
    return { vid: hex4(vid), ...(pid !== undefined ? { pid: hex4(pid) } : {}) };
  });
}

/** `--serial-pattern` compiled, or the reason it does not compile. */
export function parseSerialPattern(value: string): RegExp {
  if (value.length === 0 || value.length > 500) throw new FieldlineError('INVALID_ARGUMENT', '--serial-pattern takes a regular expression of 1 to 500 characters');
  try {
    return new RegExp(value, 'u');
  } catch (err) {
    throw new FieldlineError('INVALID_ARGUMENT', `--serial-pattern ${JSON.stringify(value)} is not a valid regular expression: ${(err as Error).message}`);
  }
}
