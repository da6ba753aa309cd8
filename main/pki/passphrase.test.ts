import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { isFieldlineError } from '../errors';
import { readCaPassphrase, type PassphraseInput } from './passphrase';

/** A terminal that types `lines` one chunk at a time, each after the previous prompt is shown. */
class FakeTty extends EventEmitter implements PassphraseInput {
  readonly isTTY = true;
  isRaw = false;
  rawChanges: boolean[] = [];
  constructor(private readonly chunks: string[]) {
    super();
  }
  setRawMode(mode: boolean): this {
    this.isRaw = mode;
    this.rawChanges.push(mode);
    return this;
  }
  resume(): this {
    const next = this.chunks.shift();
    if (next !== undefined) setImmediate(() => this.emit('data', Buffer.from(next, 'utf8')));
    return this;
  }
  pause(): this {
    return this;
  }
}

function screen(): { text: string; write(s: string): void } {
  return {
    text: '',
    write(s: string) {
      this.text += s;
    },
  };
}

async function code(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => 'resolved',
    (err: unknown) => (isFieldlineError(err) ? err.code : err),
  );
}

describe('readCaPassphrase', () => {
  it('takes FIELDLINE_CA_PASSPHRASE first, and checks its length for a new CA', async () => {
    const env = { FIELDLINE_CA_PASSPHRASE: 'from the environment' };
    expect(await readCaPassphrase({ confirm: true, env, input: new FakeTty([]) })).toBe('from the environment');
    expect(await readCaPassphrase({ confirm: false, env: { FIELDLINE_CA_PASSPHRASE: 'short' } })).toBe('short');
    expect(await code(readCaPassphrase({ confirm: true, env: { FIELDLINE_CA_PASSPHRASE: 'short' } }))).toBe('CA_PASSPHRASE_WEAK');
  });

  it('without the variable and without a terminal, says to set FIELDLINE_CA_PASSPHRASE', async () => {
    const notTty: PassphraseInput = { isTTY: false, on: () => undefined, removeListener: () => undefined, resume: () => undefined, pause: () => undefined };
    const err = await readCaPassphrase({ confirm: false, env: {}, input: notTty }).catch((e: unknown) => e);
    expect(isFieldlineError(err, 'CA_PASSPHRASE_REQUIRED')).toBe(true);
    expect((err as Error).message).toContain('FIELDLINE_CA_PASSPHRASE');
  });

  it('prompts without echo, handles backspace and arrow keys, and restores the terminal', async () => {
    const tty = new FakeTty(['sekrit\u007f\u007fet\u001b[Dpass\r']);
    const out = screen();
    expect(await readCaPassphrase({ confirm: false, env: {}, input: tty, output: out })).toBe('sekretpass');
    expect(out.text).toBe('Station CA passphrase: \n');
    expect(tty.rawChanges).toEqual([true, false]);
  });

  it('asks twice for a new passphrase and asks again when they differ or it is too short', async () => {
    const tty = new FakeTty(['short\r', 'long enough one\r', 'long enough 1\r', 'long enough one\r', 'long enough one\r']);
    const out = screen();
    expect(await readCaPassphrase({ confirm: true, env: {}, input: tty, output: out })).toBe('long enough one');
    expect(out.text).toContain('fewer than 8 characters; try again.');
    expect(out.text).toContain('the two passphrases differ; try again.');
    expect(out.text).not.toContain('long enough');
  });

  it('gives up after three attempts, and Ctrl-C cancels', async () => {
    const tty = new FakeTty(['a\r', 'b\r', 'c\r']);
    expect(await code(readCaPassphrase({ confirm: true, env: {}, input: tty, output: screen() }))).toBe('CA_PASSPHRASE_WEAK');
    expect(await code(readCaPassphrase({ confirm: false, env: {}, input: new FakeTty(['abc\u0003']), output: screen() }))).toBe('CANCELLED');
  });
});
