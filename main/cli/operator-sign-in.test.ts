import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../core/core';
import { silentLogger } from '../log';
import type { PassphraseInput } from '../pki/passphrase';
import { authorizeCli, signInCli } from './operator-sign-in';

/** A terminal that types `text` once the prompt listens; records whether echo was off (raw mode) meanwhile. */
function terminal(text: string): PassphraseInput & { raw: boolean[] } {
  const emitter = new EventEmitter();
  const raw: boolean[] = [];
  return Object.assign(emitter, {
    raw,
    isTTY: true,
    isRaw: false,
    setRawMode: (mode: boolean) => raw.push(mode),
    resume: () => setImmediate(() => emitter.emit('data', Buffer.from(text))),
    pause: () => {},
  }) as unknown as PassphraseInput & { raw: boolean[] };
}

describe('signing in on the command line', () => {
  let dir: string;
  let core: Core;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fieldline-sign-in-'));
    core = createCore({ dataDir: dir, logger: silentLogger });
  });
  afterEach(async () => {
    await core.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('asks nothing on a station without operators, even with an operator named', async () => {
    const input = terminal('never read\r');
    expect(await signInCli(core, { operator: 'ana' }, { env: {}, input })).toBeUndefined();
    expect(input.raw).toEqual([]);
    expect(await authorizeCli(core, {}, 'ca.manage', 'ca init', { env: {} })).toBeUndefined();
  });

  it('asks the secret without echo for --operator, and takes FIELDLINE_OPERATOR[_SECRET] from the environment', async () => {
    await core.operators.add(undefined, { name: 'root', role: 'admin', secret: 'root-secret' });
    const written: string[] = [];
    const input = terminal('root-secret\r');
    const root = await signInCli(core, { operator: 'root' }, { env: {}, input, output: { write: (t: string) => written.push(t) } });
    expect(root).toMatchObject({ name: 'root', role: 'admin' });
    expect(input.raw).toEqual([true, false]);
    expect(written.join('')).toContain('Secret of operator root: ');
    expect(written.join('')).not.toContain('root-secret');
    const env = { FIELDLINE_OPERATOR: 'root', FIELDLINE_OPERATOR_SECRET: 'root-secret' };
    expect(await authorizeCli(core, {}, 'ca.manage', 'ca init', { env })).toBe('operator:root');
  });

  it('says how to give the secret when there is no terminal, and asks for a sign-in when nobody is named', async () => {
    await core.operators.add(undefined, { name: 'root', role: 'admin', secret: 'root-secret' });
    const notTty = Object.assign(new EventEmitter(), { isTTY: false, resume: () => {}, pause: () => {} }) as unknown as PassphraseInput;
    await expect(signInCli(core, { operator: 'root' }, { env: {}, input: notTty })).rejects.toMatchObject({
      code: 'OPERATOR_SIGN_IN_REQUIRED',
      message: 'FIELDLINE_OPERATOR_SECRET is not set and standard input is not a terminal',
    });
    await expect(authorizeCli(core, {}, 'provision', 'provision', { env: {} })).rejects.toMatchObject({
      code: 'OPERATOR_SIGN_IN_REQUIRED',
      message: 'provision needs a signed-in operator with the technician role',
    });
  });
});
