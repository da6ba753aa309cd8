/**
 * A BLE gateway's received signal strength: four bars and the dBm figure, and the word in text for screen readers
 * (bars alone are a picture; the number alone means little to most technicians).
 */
import { memo, type JSX } from 'react';

export interface SignalLevel {
  /** 0 (none or unknown) … 4 (excellent). */
  readonly bars: 0 | 1 | 2 | 3 | 4;
  readonly word: string;
}

/** The usual reading of BLE RSSI: −127 means "not available". */
export function signalLevel(rssi: number | undefined): SignalLevel {
  if (rssi === undefined || rssi <= -127) return { bars: 0, word: 'unknown' };
  if (rssi >= -60) return { bars: 4, word: 'excellent' };
  if (rssi >= -70) return { bars: 3, word: 'good' };
  if (rssi >= -80) return { bars: 2, word: 'fair' };
  if (rssi >= -90) return { bars: 1, word: 'weak' };
  return { bars: 0, word: 'very weak' };
}

export const SignalStrength = memo(function SignalStrength({ rssi }: { rssi: number | undefined }): JSX.Element {
  const { bars, word } = signalLevel(rssi);
  const known = rssi !== undefined && rssi > -127;
  return (
    <span className={`signal bars-${bars}`} data-testid="device-rssi" data-rssi={known ? rssi : ''} title={known ? `Signal ${word}: ${rssi} dBm` : 'Signal unknown'}>
      <span className="signal-bars" aria-hidden="true">
        <span />
        <span />
        <span />
        <span />
      </span>
      <span className="signal-value">{known ? `${rssi} dBm` : '— dBm'}</span>
      <span className="visually-hidden">, {word} signal</span>
    </span>
  );
});
