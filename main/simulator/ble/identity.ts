/**
 * How a virtual BLE gateway presents itself before anyone connects: its advertised name, its address and the
 * signal strength a scanner sees. All derived from the serial (and the gateway's index and the seed), so a run is
 * reproducible and a technician can tell gateways apart by name.
 */
import { createHash } from 'node:crypto';

/** `FL-` and the last 8 hex digits of the serial: short enough for a legacy advertising packet's name. */
export function bleName(serial: string): string {
  return `FL-${serial.slice(-8).toUpperCase()}`;
}

/**
 * A static random address (Core spec Vol 6 Part B 1.3.2.1: the two top bits set, the other 46 neither all 0 nor
 * all 1), `c0:` followed by five bytes of SHA-256 of the serial: stable across runs, distinct between gateways.
 */
export function bleAddress(serial: string): string {
  const hash = createHash('sha256').update(`fieldline-ble-address:${serial.toUpperCase()}`).digest();
  const bytes = [0xc0, ...hash.subarray(0, 5)];
  // With the first byte 0xc0 the random part is all 1s never; all 0s would need five zero bytes of hash.
  if (bytes.slice(1).every((b) => b === 0)) bytes[5] = 1;
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** A per-gateway signal level between −40 and −84 dBm, so a scan list has a realistic spread. */
export function rssiLevel(index: number): number {
  return -40 - ((index * 11) % 45);
}

/** One scan report's RSSI: the gateway's level with ±3 dB of jitter, as a real scanner sees it fluctuate. */
export function jitteredRssi(level: number, rng: () => number): number {
  return Math.max(-127, Math.min(20, level + Math.round((rng() - 0.5) * 6)));
}
