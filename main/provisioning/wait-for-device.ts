/**
 * After a reset the device goes quiet while it reboots; a USB gateway may even re-enumerate, so its port
 * disappears and comes back; a BLE gateway drops the link and advertises again once booted. This waits until it
 * answers an echo again, re-opening the port (or reconnecting) when needed.
 */
import type { Clock } from '../contract/clock';
import { isDeviceGone } from '../device/gone';
import { FieldlineError } from '../errors';
import { echo } from '../smp/groups/os';
import type { GatewaySession } from '../device/session';

export interface WaitOptions {
  timeoutMs: number;
  open: () => Promise<GatewaySession>;
  signal?: AbortSignal;
  onWaiting?: (elapsedMs: number) => void;
  /** Measures the wait (its monotonic time). */
  clock: Pick<Clock, 'monotonicMs'>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitForDevice(current: GatewaySession, options: WaitOptions): Promise<GatewaySession> {
  const started = options.clock.monotonicMs();
  const elapsed = (): number => options.clock.monotonicMs() - started;
  let session: GatewaySession | undefined = current;
  let lastError: unknown;
  while (elapsed() < options.timeoutMs) {
    if (options.signal?.aborted) throw new FieldlineError('CANCELLED', 'cancelled while waiting for the device');
    try {
      if (!session || !session.transport.isOpen) {
        await session?.close().catch(() => {});
        session = undefined;
        session = await options.open();
      }
      await echo(session.client, 'fieldline-wait');
      return session;
    } catch (err) {
      lastError = err;
      // Gone, or its port not back yet: open it afresh on the next round.
      if (isDeviceGone(err) || (err instanceof FieldlineError && err.code === 'PORT_NOT_FOUND')) {
        await session?.close().catch(() => {});
        session = undefined;
      }
      options.onWaiting?.(elapsed());
      await sleep(250);
    }
  }
  throw new FieldlineError('DEVICE_TIMEOUT', `the device did not come back within ${Math.round(options.timeoutMs / 1000)} s`, {
    cause: lastError instanceof Error ? lastError.message : String(lastError),
  });
}
