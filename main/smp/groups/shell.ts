/** Shell group (9): runs a shell command on the device and returns what it printed and its return code. */
import { FieldlineError } from '../../errors';
import type { SmpClient } from '../client';
import { GROUP } from '../error-codes';
import { textField } from '../fields';

export interface ShellResult {
  output: string;
  ret: number;
}

export async function shellExec(client: SmpClient, argv: string[], options: { timeoutMs?: number } = {}): Promise<ShellResult> {
  if (argv.length === 0) throw new FieldlineError('INVALID_ARGUMENT', 'shell: no command given');
  const body = await client.write(GROUP.SHELL, 0, { argv }, { timeoutMs: options.timeoutMs ?? 10_000, retries: 0 });
  // Old firmware (LEGACY_RC_RETURN_CODE) put the command's return code in `rc`, which checkReply has let pass at 0.
  const ret = typeof body.ret === 'number' ? body.ret : typeof body.rc === 'number' ? body.rc : 0;
  return { output: textField(body, 'o', 'shell exec'), ret };
}
