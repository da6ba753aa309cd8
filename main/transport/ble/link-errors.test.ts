import { describe, expect, it } from 'vitest';
import { FieldlineError } from '../../errors';
import { bleLinkError, isPairingError } from './link-errors';

describe('BLE error mapping', () => {
  it.each([
    'Insufficient Authentication',
    'ATT error 0x05',
    'GATT write failed: insufficient encryption (0x0f)',
    'Insufficient Encryption Key Size',
    'Insufficient Authorization',
    'Authentication failed: pairing not possible',
  ])('"%s" means pairing is required', (text) => {
    expect(isPairingError(new Error(text))).toBe(true);
    const err = bleLinkError('c0:00:00:00:00:01', 'the subscription', new Error(text));
    expect(err.code).toBe('BLE_PAIRING_REQUIRED');
    expect(err.message).toContain('c0:00:00:00:00:01');
  });

  it.each(['Connection Failed to be Established (0x3e)', 'Remote User Terminated Connection (0x13)', 'attribute not found 0x0a'])(
    '"%s" is a lost link, not a pairing problem',
    (text) => {
      expect(isPairingError(text)).toBe(false);
      expect(bleLinkError('c0:00:00:00:00:01', 'the connection', text).code).toBe('BLE_LINK_LOST');
    },
  );

  it('keeps an error that is already a FieldlineError', () => {
    const original = new FieldlineError('BLE_NOT_SMP', 'no SMP');
    expect(bleLinkError('x', 'y', original)).toBe(original);
  });
});
