/** Finalize: only now, with the diagnostics passed, is a new firmware image confirmed (made permanent). */
import { FieldlineError } from '../../errors';
import { confirmImage, readState } from '../../smp/groups/image';
import type { Step } from '../context';

export const finalize: Step = async (ctx) => {
  const update = ctx.firmwareUpdate;
  if (!update) return { firmware: 'unchanged' };
  await confirmImage(ctx.session.client);
  const active = (await readState(ctx.session.client)).find((s) => s.active);
  if (!active?.confirmed || active.version !== update.version) {
    throw new FieldlineError('FIRMWARE_UPDATE_FAILED', `confirm did not take: the device runs ${active?.version ?? 'nothing'}, confirmed ${active?.confirmed ?? false}`);
  }
  ctx.record.device.firmwareAfter = active.version;
  return { confirmed: update };
};
