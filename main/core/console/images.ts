/**
 * Image slots: read, mark an image for test, confirm, erase — MCUboot's test/confirm/revert done by hand. Each
 * answer is the slot list the device holds afterwards, read back, so the panel shows what is, not what was asked.
 */
import type { ConsoleSlot } from '../../contract/console';
import type { GatewaySession } from '../../device/session';
import { FieldlineError } from '../../errors';
import { confirmImage, eraseSlot, readState, testImage, type ImageSlot } from '../../smp/groups/image';
import { deviceName } from './text';

export type ImageAction = { action: 'test'; hash: string } | { action: 'confirm'; hash?: string } | { action: 'erase'; slot?: number };

const MAX_SLOTS = 16;

function shown(slots: ImageSlot[]): ConsoleSlot[] {
  return slots.slice(0, MAX_SLOTS).map((s) => ({ ...s, version: deviceName(s.version, 64), ...(s.hash ? { hash: s.hash.slice(0, 128) } : {}) }));
}

export async function readSlots(session: GatewaySession): Promise<ConsoleSlot[]> {
  return shown(await readState(session.client));
}

/** The request as the contract parsed it: test needs a hash. */
export function imageAction(request: { action: 'test' | 'confirm' | 'erase'; hash?: string | undefined; slot?: number | undefined }): ImageAction {
  switch (request.action) {
    case 'test':
      if (!request.hash) throw new FieldlineError('INVALID_ARGUMENT', 'marking an image for test needs its hash');
      return { action: 'test', hash: request.hash };
    case 'confirm':
      return request.hash ? { action: 'confirm', hash: request.hash } : { action: 'confirm' };
    case 'erase':
      return request.slot !== undefined ? { action: 'erase', slot: request.slot } : { action: 'erase' };
  }
}

export async function applyImageAction(session: GatewaySession, action: ImageAction): Promise<ConsoleSlot[]> {
  const { client } = session;
  if (action.action === 'test') await testImage(client, action.hash);
  else if (action.action === 'confirm') await confirmImage(client, action.hash);
  else await eraseSlot(client, action.slot);
  return readSlots(session);
}
