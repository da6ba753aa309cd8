/** `fieldline ca …` as a technician runs it: the real CLI in a child process, passphrase from the environment. */
import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSignerOf } from '../testing/core-store';
import { makeCsr, makeOrgCa } from '../testing/pki';
import { runFieldline, type CliRun } from '../testing/cli';

const PASS = 'cli test passphrase';

type Run = CliRun;

function fieldline(args: string[], env: Record<string, string | undefined> = { FIELDLINE_CA_PASSPHRASE: PASS }): Promise<Run> {
  return runFieldline(args, { FIELDLINE_CA_PASSPHRASE: undefined, ...env }, 60_000);
}

function json(run: Run): Record<string, unknown> {
  return JSON.parse(run.stdout.trim().split('\n').pop() as string) as Record<string, unknown>;
}

let work: string;
let dataDir: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'fieldline-ca-cli-'));
  dataDir = join(work, 'data');
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('fieldline ca', () => {
  it('init --json creates the CA and names its files; the passphrase appears nowhere', async () => {
    const r = await fieldline(['ca', 'init', '--organization', 'Acme CLI', '--data-dir', dataDir, '--json', '-v']);
    expect(r.code, r.stderr).toBe(0);
    const out = json(r) as { root: { path: string; subject: string }; intermediate: { path: string }; key: { path: string }; crl: { path: string } };
    expect(out.root.subject).toMatch(/^CN=Fieldline Development Root [0-9A-F]{8}, O=Acme CLI$/);
    for (const path of [out.root.path, out.intermediate.path, out.key.path, out.crl.path]) await access(path);
    expect(out.intermediate.path).toBe(join(dataDir, 'ca', 'intermediate.pem'));
    expect(r.stdout + r.stderr).not.toContain(PASS);
  });

  it('show --json names the PEM files; a second init is refused with CA_EXISTS', async () => {
    const shown = await fieldline(['ca', 'show', '--data-dir', dataDir, '--json'], {});
    expect(shown.code, shown.stderr).toBe(0);
    expect(json(shown)).toMatchObject({
      root: { path: join(dataDir, 'ca', 'root.pem') },
      intermediate: { path: join(dataDir, 'ca', 'intermediate.pem') },
      key: { path: join(dataDir, 'ca', 'intermediate.key.enc') },
      crl: { path: join(dataDir, 'ca', 'intermediate.crl.pem'), revoked: 0 },
    });
    const again = await fieldline(['ca', 'init', '--data-dir', dataDir, '--json']);
    expect(again.code).toBe(2);
    expect(json(again)).toMatchObject({ error: { code: 'CA_EXISTS', hint: expect.stringContaining('--force') } });
  });

  it('without FIELDLINE_CA_PASSPHRASE and without a terminal, says how to give the passphrase', async () => {
    const r = await fieldline(['ca', 'init', '--data-dir', join(work, 'no-pass')], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('FIELDLINE_CA_PASSPHRASE');
    const weak = await fieldline(['ca', 'init', '--data-dir', join(work, 'weak'), '--json'], { FIELDLINE_CA_PASSPHRASE: 'short' });
    expect(json(weak)).toMatchObject({ error: { code: 'CA_PASSPHRASE_WEAK' } });
  });

  it('revoked lists what the CA revoked', async () => {
    const empty = await fieldline(['ca', 'revoked', '--data-dir', dataDir, '--json'], {});
    expect(empty.code, empty.stderr).toBe(0);
    expect(json(empty)).toEqual([]);
    const { spki } = await makeCsr('CN=GW-1');
    const issued = await withSignerOf(dataDir, PASS, async (ca) => {
      const made = await ca.issue({ publicKeySpki: spki, subject: 'CN=GW-1', sans: [], validityDays: 30 });
      await ca.revoke(made.record.serial, 'rolled back');
      return made;
    });
    const listed = await fieldline(['ca', 'revoked', '--data-dir', dataDir, '--json'], {});
    expect(json(listed)).toEqual([{ serial: issued.record.serial, reason: 'rolled back', time: expect.any(String) }]);
    const text = await fieldline(['ca', 'revoked', '--data-dir', dataDir], {});
    expect(text.stdout).toContain(issued.record.serial);
  });

  it('import adopts an organisation intermediate; show on an empty data directory says CA_NOT_INITIALIZED', async () => {
    await mkdir(join(work, 'org'));
    const org = await makeOrgCa(join(work, 'org'));
    await writeFile(join(work, 'org', 'chain.pem'), org.rootPem);
    const station = join(work, 'station');
    const r = await fieldline([
      'ca', 'import', '--cert', join(work, 'org', 'station.pem'), '--key', join(work, 'org', 'station.key'),
      '--chain', join(work, 'org', 'chain.pem'), '--data-dir', station, '--json',
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ intermediate: { subject: 'CN=Acme Station CA MUC-3, O=Acme Corp' }, root: { subject: 'CN=Acme Device Root, O=Acme Corp' } });

    const missing = await fieldline(['ca', 'import', '--cert', join(work, 'nope.pem'), '--key', 'x', '--chain', 'y', '--data-dir', station, '--json']);
    expect(json(missing)).toMatchObject({ error: { code: 'FILE_NOT_FOUND' } });
    const none = await fieldline(['ca', 'show', '--data-dir', join(work, 'nothing'), '--json'], {});
    expect(none.code).toBe(2);
    expect(json(none)).toMatchObject({ error: { code: 'CA_NOT_INITIALIZED', hint: expect.stringContaining('fieldline ca init') } });
  });
});
