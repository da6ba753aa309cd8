/**
 * A SoftHSM2 token in a temporary folder for the PKCS#11 tests: its own softhsm2.conf (SOFTHSM2_CONF) whose
 * tokendir is the folder, and one token initialised with softhsm2-util. Debian's `softhsm2` package provides the
 * module and the tool (.ci/run installs it); SOFTHSM_SKIP says why a test cannot run without them.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';
const UTIL = '/usr/bin/softhsm2-util';

/** Undefined when SoftHSM2 is installed; otherwise the reason to skip (for `describe.skipIf`). */
export const SOFTHSM_SKIP: string | undefined =
  existsSync(SOFTHSM_MODULE) && existsSync(UTIL) ? undefined : `SoftHSM2 is not installed (${SOFTHSM_MODULE}, ${UTIL}): apt-get install softhsm2`;

export interface SoftHsmToken {
  module: string;
  label: string;
  pin: string;
  soPin: string;
  /** SOFTHSM2_CONF for this token's folder: set it in every process that opens the module. */
  conf: string;
  env: Record<string, string>;
  /** Makes another token in the same folder (a second slot). */
  addToken(label: string): Promise<void>;
  remove(): Promise<void>;
}

const run = promisify(execFile);

/**
 * Makes the folder and the token. The module reads SOFTHSM2_CONF when it is initialised, so this process's
 * environment is set too (tests that open the module in-process need it); remove() puts it back.
 */
export async function createSoftHsmToken(options: { label?: string; pin?: string } = {}): Promise<SoftHsmToken> {
  const dir = await mkdtemp(join(tmpdir(), 'fieldline-softhsm-'));
  const tokens = join(dir, 'tokens');
  await mkdir(tokens);
  const conf = join(dir, 'softhsm2.conf');
  await writeFile(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  const env = { SOFTHSM2_CONF: conf };
  const pin = options.pin ?? '4711-2342';
  const soPin = 'so-pin-0815';
  const addToken = async (label: string): Promise<void> => {
    await run(UTIL, ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', soPin], { env: { ...process.env, ...env }, timeout: 20_000 });
  };
  const previous = process.env.SOFTHSM2_CONF;
  process.env.SOFTHSM2_CONF = conf;
  const label = options.label ?? 'station';
  try {
    await addToken(label);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    module: SOFTHSM_MODULE,
    label,
    pin,
    soPin,
    conf,
    env,
    addToken,
    async remove() {
      if (previous === undefined) delete process.env.SOFTHSM2_CONF;
      else process.env.SOFTHSM2_CONF = previous;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
