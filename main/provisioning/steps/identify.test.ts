/** The label check of identify (a serial scanned at the station): the device must report the serial on its label. */
import { describe, expect, it } from 'vitest';
import { FieldlineError } from '../../errors';
import { profileSchema } from '../../profiles/schema';
import { serialFramer } from '../../smp/serial-framing';
import { SmpClient } from '../../smp/client';
import { MemoryTransport } from '../../testing/memory-transport';
import type { RunContext } from '../context';
import { identify } from './identify';

/** Only what identify reads before the label check: the session's client and the profile's identify command. */
function context(expectedSerial: string | undefined): { ctx: RunContext; transport: MemoryTransport } {
  const transport = new MemoryTransport((req) => (req.header.group === 9 ? { o: 'ID: 0xe3a1c0ffee01\n', ret: 0 } : null));
  const client = new SmpClient(transport, { framer: serialFramer, versionCache: new Map(), defaultTimeoutMs: 200 });
  const profile = profileSchema.parse({ apiVersion: 'fieldline/v1', name: 'p', version: '1.0.0', firmware: { minVersion: '1.0.0' } });
  const record = { device: { serial: '', port: '/dev/null' } };
  // A partial context: the fields identify touches after the check (store, signer…) are never reached here.
  const ctx = { session: { client }, profile: { profile }, record, ...(expectedSerial !== undefined ? { expectedSerial } : {}) } as unknown as RunContext;
  return { ctx, transport };
}

describe('identify with a scanned label', () => {
  it('fails when the gateway reports another serial than its label, naming both, before recording the serial', async () => {
    const { ctx, transport } = context('E3A1C0FFEE02');
    await transport.open();
    const err = await identify(ctx).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FieldlineError);
    expect((err as FieldlineError).code).toBe('DEVICE_IDENTIFY_FAILED');
    expect((err as FieldlineError).message).toBe("the board's label says E3A1C0FFEE02 but the gateway reports E3A1C0FFEE01");
    expect(ctx.record.device.serial).toBe('');
    expect(ctx.serial).toBeUndefined();
  });

  it('accepts the label in another case and goes on to read the firmware', async () => {
    const { ctx, transport } = context('e3a1c0ffee01');
    await transport.open();
    // The scripted device answers only the shell, so the next request (image state, group 1) times out after its
    // retries: the label check let the run go on.
    await expect(identify(ctx)).rejects.toMatchObject({ code: 'DEVICE_TIMEOUT' });
    expect(transport.requests.map((r) => r.header.group)).toContain(1);
  });
});
