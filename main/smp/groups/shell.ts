/** Shell group (9): runs a shell command on the device and returns what it printed and its return code. */
import { FieldlineError } from '../../errors';
import type { SmpClient } from '../client';
import { GROUP } from '../error-codes';
import { textField } from '../fields';

export interface ShellResult {
  output: string;
  ret: number;
}

export interface ShellOptions {
  timeoutMs?: number;
  /**
   * The command only reads (`hwinfo devid`, a sensor read): it may be sent again after a lost frame. Any other
   * command is sent once, since running it twice could do twice what it does.
   */
  readOnly?: boolean;
}

export async function shellExec(client: SmpClient, argv: string[], options: ShellOptions = {}): Promise<ShellResult> {
  if (argv.length === 0) throw new FieldlineError('INVALID_ARGUMENT', 'shell: no command given');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const body = await client.write(GROUP.SHELL, 0, { argv }, options.readOnly ? { timeoutMs, idempotent: true } : { timeoutMs, retries: 0 });
  // Old firmware (LEGACY_RC_RETURN_CODE) put the command's return code in `rc`, which checkReply has let pass at 0.
  const ret = typeof body.ret === 'number' ? body.ret : typeof body.rc === 'number' ? body.rc : 0;
  return { output: textField(body, 'o', 'shell exec'), ret };
}
