/** `fieldline profile …` in process: what it prints and the exit code it leaves. */
import { Command } from 'commander';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HOSTILE } from '../testing/hostile-profiles';
import { registerProfileCommands } from './profile';

const EXAMPLE = fileURLToPath(new URL('../../resources/profiles/gateway-eu.yaml', import.meta.url));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fieldline-profile-cli-'));
});
afterEach(async () => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

/** Runs `fieldline profile <args>`; returns stdout, the exit code left behind, and what was thrown (if anything). */
async function run(...args: string[]): Promise<{ out: string; code: number; error?: unknown }> {
  const program = new Command('fieldline').exitOverride();
  registerProfileCommands(program);
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  });
  process.exitCode = undefined;
  let error: unknown;
  try {
    await program.parseAsync(['node', 'fieldline', 'profile', ...args]);
  } catch (err) {
    error = err;
  }
  vi.restoreAllMocks();
  const code = Number(process.exitCode ?? (error ? 1 : 0));
  process.exitCode = undefined;
  return error === undefined ? { out, code } : { out, code, error };
}

describe('fieldline profile', () => {
  it('returns the profile command so others can add subcommands', () => {
    const program = new Command('fieldline');
    const profile = registerProfileCommands(program);
    expect(profile.name()).toBe('profile');
    profile.command('test <file>');
    expect(program.commands.find((c) => c.name() === 'profile')?.commands.map((c) => c.name())).toContain('test');
  });

  it('lint: ok for the example, every problem as file:line:col for a bad one, exit 1', async () => {
    expect(await run('lint', EXAMPLE)).toEqual({ out: `${EXAMPLE}: ok\n`, code: 0 });
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'apiVersion: fieldline/v1\nname: Bad\nversion: 1.0.0\nextra: 1\n');
    const r = await run('lint', bad);
    expect(r.code).toBe(1);
    expect(r.out).toBe(
      `${bad}:2:7 name: must be lower-case letters, digits, ".", "_" or "-"\n${bad}:4:1 extra: unknown field "extra"\n`,
    );
    const json = JSON.parse((await run('lint', bad, '--json')).out) as { ok: boolean; problems: unknown[] };
    expect(json.ok).toBe(false);
    expect(json.problems[1]).toEqual({ path: 'extra', line: 4, column: 1, message: 'unknown field "extra"' });
  });

  it('show: defaults filled; with --var the rendered values, device facts as placeholders', async () => {
    const plain = JSON.parse((await run('show', EXAMPLE, '--json')).out) as Record<string, unknown>;
    expect(plain.profile).toMatchObject({ name: 'gateway-eu', identity: { mode: 'csr', slot: 0 } });
    expect(plain.rendered).toBeUndefined();

    const r = JSON.parse((await run('show', EXAMPLE, '--var', 'site=MUC-3', '--json')).out) as {
      rendered: { subject: string; settings: Array<{ name: string; value: string; hex: string }>; files: Array<{ content: string }> };
    };
    expect(r.rendered.subject).toBe('CN=<device.serial>,O=Acme Gateways,OU=MUC-3');
    expect(r.rendered.settings.find((s) => s.name === 'fieldline/report_interval')).toMatchObject({ value: '60', hex: '3c000000' });
    expect(r.rendered.files[0]?.content).toContain('"site": "MUC-3"');

    const text = await run('show', EXAMPLE, '--render');
    expect(text.out).toContain('OU=DEV-1');
    expect((await run('show', EXAMPLE, '--var', 'site=bad')).error).toMatchObject({ code: 'TEMPLATE_VARIABLE_INVALID' });
    // Site codes as a field visit names them (issue #16's done-when provisions with site=berlin-1).
    expect(JSON.parse((await run('show', EXAMPLE, '--var', 'site=berlin-1', '--json')).out)).toMatchObject({ rendered: { subject: 'CN=<device.serial>,O=Acme Gateways,OU=berlin-1' } });
    expect((await run('show', EXAMPLE, '--var', 'nonsense')).error).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('keygen, sign, verify; a tampered profile fails verification', async () => {
    const prefix = join(dir, 'publisher');
    const keygen = JSON.parse((await run('keygen', '--out', prefix, '--json')).out) as { keyId: string };
    expect(keygen.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect((await stat(`${prefix}.pem`)).mode & 0o777).toBe(0o600);
    expect((await run('keygen', '--out', prefix)).error).toMatchObject({ code: 'INVALID_ARGUMENT' });

    const file = join(dir, 'gateway-eu.yaml');
    await copyFile(EXAMPLE, file);
    const signed = JSON.parse((await run('sign', file, '--key', `${prefix}.pem`, '--json')).out) as { keyId: string };
    expect(signed.keyId).toBe(keygen.keyId);

    const ok = await run('verify', file, '--trust', `${prefix}.pub.pem`, '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ status: 'trusted', keyId: keygen.keyId });

    // Trust from the data directory instead.
    const dataDir = join(dir, 'data');
    expect((await run('verify', file, '--data-dir', dataDir)).code).toBe(1);

    await writeFile(file, (await readFile(file, 'utf8')).replace('maxMs: 250', 'maxMs: 950'));
    const tampered = await run('verify', file, '--trust', `${prefix}.pub.pem`);
    expect(tampered.code).toBe(1);
    expect(tampered.out).toContain('does NOT match the file');
  });

  it('sign refuses a profile that does not lint', async () => {
    const prefix = join(dir, 'k');
    await run('keygen', '--out', prefix);
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'apiVersion: fieldline/v1\n');
    expect((await run('sign', bad, '--key', `${prefix}.pem`)).error).toMatchObject({ code: 'PROFILE_INVALID' });
  });
});

describe('fieldline profile lint on hostile files (issue #11)', () => {
  /** `lint --json` of `text` written to a file: the exit code and what it printed, which must not be a throw. */
  async function lintJson(path: string): Promise<{ code: number; json: Record<string, unknown> }> {
    const r = await run('lint', path, '--json');
    expect(r.error, 'nothing thrown past the command').toBeUndefined();
    return { code: r.code, json: JSON.parse(r.out) as Record<string, unknown> };
  }
  async function write(name: string, text: string): Promise<string> {
    await writeFile(join(dir, name), text);
    return join(dir, name);
  }

  it('exits 2 with a clear error for more than 100 aliases and for a billion laughs', async () => {
    for (const text of [HOSTILE.manyAliases(), HOSTILE.billionLaughs()]) {
      const { code, json } = await lintJson(await write('aliases.yaml', text));
      expect(code).toBe(2);
      expect(json.error).toMatchObject({ code: 'PROFILE_TOO_COMPLEX', message: expect.stringContaining('aliases') });
    }
  });

  it('exits 2 for a directory, a FIFO, a profile over 1 MiB and a /dev/zero image', async () => {
    await mkdir(join(dir, 'folder.yaml'));
    expect(await lintJson(join(dir, 'folder.yaml'))).toMatchObject({ code: 2, json: { error: { code: 'FILE_NOT_REGULAR' } } });
    expect(await lintJson(await write('big.yaml', HOSTILE.oversized()))).toMatchObject({ code: 2, json: { error: { code: 'FILE_TOO_LARGE' } } });
    expect(await lintJson(await write('zero.yaml', HOSTILE.devZeroImage()))).toMatchObject({ code: 2, json: { error: { code: 'FILE_NOT_REGULAR' } } });
    try {
      execFileSync('mkfifo', [join(dir, 'pipe.yaml')]);
    } catch {
      return; // no mkfifo (coreutils) here: the other files were checked
    }
    expect(await lintJson(join(dir, 'pipe.yaml'))).toMatchObject({ code: 2, json: { error: { code: 'FILE_NOT_REGULAR' } } });
  });

  it('lists a huge pattern as a problem (exit 1) in one short line', async () => {
    const { code, json } = await lintJson(await write('regex.yaml', HOSTILE.hugeRegex()));
    expect(code).toBe(1);
    expect(json.problems).toEqual([{ path: 'identify.pattern', line: 5, column: 12, message: 'is 300000 characters long; a pattern may have at most 1024' }]);
  });

  it('show, sign and verify refuse what lint refuses, with exit 2', async () => {
    const zero = await write('zero.yaml', HOSTILE.devZeroImage());
    expect(await run('show', zero, '--json')).toMatchObject({ code: 2 });
    expect(await run('sign', join(dir, 'none.yaml'), '--key', join(dir, 'k.pem'), '--json')).toMatchObject({ code: 2 });
    await mkdir(join(dir, 'folder.yaml'));
    await run('keygen', '--out', join(dir, 'k'));
    expect(await run('verify', join(dir, 'folder.yaml'), '--trust', join(dir, 'k.pub.pem'), '--json')).toMatchObject({ code: 2 });
  });
});
