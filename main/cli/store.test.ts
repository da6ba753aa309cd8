/**
 * A store that had entries and is now 0 bytes, deleted or truncated, as the CLI meets it (issue #11): `audit verify`
 * used to answer ok with 0 entries. Now every store command refuses with exit 2 and the way out, and `fieldline
 * store reset` is the deliberate way to start again.
 */
import { existsSync, readdirSync, statSync, truncateSync, unlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withStoreOf } from '../testing/core-store';
import { lastJsonLine, runFieldline, type CliRun } from '../testing/cli';
import { sampleRunRecord } from '../testing/run-records';

let dataDir: string;
let file: string;
const fieldline = (args: string[]): Promise<CliRun> => runFieldline(args, { FIELDLINE_DATA_DIR: dataDir });

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'fieldline-store-cli-'));
  file = join(dataDir, 'fieldline.db');
  await withStoreOf(dataDir, (store) => store.saveRun(sampleRunRecord(), [{ actor: 'station:test', action: 'run.start', subject: 'GW-1' }]));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function refused(args: string[], code: string): Promise<{ message: string; hint: string }> {
  const run = await fieldline([...args, '--json']);
  expect(run.code, run.stdout + run.stderr).toBe(2);
  const { error } = lastJsonLine(run.stdout) as { error: { code: string; message: string; hint: string } };
  expect(error.code).toBe(code);
  return error;
}

describe('a store that had entries and lost them', { timeout: 60_000 }, () => {
  it('0 bytes: audit verify and runs list exit 2 with STORE_MISSING and the way out; the file stays 0 bytes', async () => {
    truncateSync(file, 0);
    const error = await refused(['audit', 'verify'], 'STORE_MISSING');
    expect(error.message).toContain(file);
    expect(error.hint).toContain('fieldline store reset');
    expect(error.hint).toContain('backup');
    await refused(['runs', 'list'], 'STORE_MISSING');
    expect(statSync(file).size).toBe(0);
  });

  it('deleted: audit verify exits 2 with STORE_MISSING and does not create a new file', async () => {
    unlinkSync(file);
    await refused(['audit', 'verify'], 'STORE_MISSING');
    expect(existsSync(file)).toBe(false);
  });

  it('truncated: audit verify exits 2 with STORE_CORRUPT', async () => {
    truncateSync(file, Math.floor(statSync(file).size / 2));
    const error = await refused(['audit', 'verify'], 'STORE_CORRUPT');
    expect(error.hint).toContain('fieldline store reset');
  });

  it('store reset starts a new store deliberately, keeping the old file beside it', async () => {
    truncateSync(file, 0);
    const reset = await fieldline(['store', 'reset', '--json']);
    expect(reset.code, reset.stdout + reset.stderr).toBe(0);
    expect(lastJsonLine(reset.stdout)).toMatchObject({ was: 'missing' });
    expect(readdirSync(dataDir).some((name) => name.startsWith('fieldline.db.replaced-'))).toBe(true);
    const verify = await fieldline(['audit', 'verify', '--json']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(lastJsonLine(verify.stdout)).toEqual({ ok: true, entries: 0 });
  });

  it('store reset refuses a healthy store with runs (exit 2: nothing to reset) and leaves it alone', async () => {
    const reset = await fieldline(['store', 'reset', '--json']);
    expect(reset.code).toBe(2);
    const runs = await fieldline(['runs', 'list', '--json']);
    expect(JSON.parse(runs.stdout)).toHaveLength(1);
  });
});
