/**
 * Issue #14's first "done when", through the real CLI: an empty data directory is claimed by `operator add --role
 * admin`, a technician is added, the technician's `ca init` exits 2 naming the admin role, the admin's succeeds, and
 * every audit entry from the claim on names its operator.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastJsonLine, runFieldline, type CliRun } from '../testing/cli';

const CA_PASS = 'operator test passphrase';
const SIGN_IN = ['FIELDLINE_OPERATOR', 'FIELDLINE_OPERATOR_SECRET', 'FIELDLINE_NEW_OPERATOR_SECRET', 'FIELDLINE_CA_PASSPHRASE'];

let work: string;
let dataDir: string;

/** `env` on top of a clean environment: no sign-in or secret leaks in from the machine running the tests. */
function fieldline(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const clean = Object.fromEntries(SIGN_IN.map((k) => [k, undefined]));
  return runFieldline([...args, '--data-dir', dataDir], { ...clean, ...env }, 60_000);
}

const as = (name: string, secret: string): Record<string, string> => ({ FIELDLINE_OPERATOR: name, FIELDLINE_OPERATOR_SECRET: secret });

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'fieldline-operator-cli-'));
  dataDir = join(work, 'data');
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('fieldline operator', () => {
  it('claims an empty station with an admin, who adds a technician; the technician may not make the CA, the admin may', async () => {
    const first = await fieldline(['operator', 'add', 'root', '--role', 'admin', '--json'], { FIELDLINE_NEW_OPERATOR_SECRET: 'root-secret-1' });
    expect(first.code, first.stderr).toBe(0);
    expect(lastJsonLine(first.stdout)).toMatchObject({ name: 'root', role: 'admin', disabled: false });

    // Claimed: a second add needs an admin signed in.
    const anonymous = await fieldline(['operator', 'add', 'eve', '--role', 'admin', '--json'], { FIELDLINE_NEW_OPERATOR_SECRET: 'eve-secret-1' });
    expect(anonymous.code).toBe(2);
    expect(lastJsonLine(anonymous.stdout)).toMatchObject({ error: { code: 'OPERATOR_SIGN_IN_REQUIRED' } });

    const tech = await fieldline(['operator', 'add', 'ana', '--role', 'technician'], { ...as('root', 'root-secret-1'), FIELDLINE_NEW_OPERATOR_SECRET: 'ana-pin-2468' });
    expect(tech.code, tech.stderr).toBe(0);

    const refused = await fieldline(['ca', 'init'], { ...as('ana', 'ana-pin-2468'), FIELDLINE_CA_PASSPHRASE: CA_PASS });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('ca init needs the admin role; ana is a technician');
    // Refused before anything was made.
    expect(await readdir(dataDir)).not.toContain('ca');

    const refusedJson = await fieldline(['ca', 'init', '--json'], { ...as('ana', 'ana-pin-2468'), FIELDLINE_CA_PASSPHRASE: CA_PASS });
    expect(refusedJson.code).toBe(2);
    expect(lastJsonLine(refusedJson.stdout)).toMatchObject({ error: { code: 'PERMISSION_DENIED', message: expect.stringContaining('needs the admin role') } });

    const made = await fieldline(['ca', 'init', '--operator', 'root', '--json'], { FIELDLINE_OPERATOR_SECRET: 'root-secret-1', FIELDLINE_CA_PASSPHRASE: CA_PASS });
    expect(made.code, made.stderr).toBe(0);

    const audit = await fieldline(['audit', 'list', '--json']);
    expect(audit.code, audit.stderr).toBe(0);
    const entries = JSON.parse(audit.stdout) as Array<{ actor: string; action: string; subject: string }>;
    expect(entries.map((e) => [e.actor, e.action, e.subject])).toEqual([
      ['operator:root', 'operator.add', 'root'],
      ['operator:root', 'operator.add', 'ana'],
      ['operator:root', 'ca.init', expect.stringMatching(/^CN=Fieldline Station /)],
    ]);
    expect((await fieldline(['audit', 'verify'])).code).toBe(0);
  });

  it('lists operators for an admin only, and refuses a wrong secret without saying whether the name exists', async () => {
    const list = await fieldline(['operator', 'list', '--json'], as('ROOT', 'root-secret-1'));
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({ name: 'ana', role: 'technician', disabled: false }),
      expect.objectContaining({ name: 'root', role: 'admin', lastSignInAt: expect.any(String) }),
    ]);
    expect(list.stdout).not.toMatch(/scrypt|secret/);

    const byTech = await fieldline(['operator', 'list', '--json'], as('ana', 'ana-pin-2468'));
    expect(byTech.code).toBe(2);
    expect(lastJsonLine(byTech.stdout)).toMatchObject({ error: { code: 'PERMISSION_DENIED', message: expect.stringContaining('operator list needs the admin role') } });

    const wrong = await fieldline(['operator', 'list', '--json'], as('root', 'not-it'));
    const unknown = await fieldline(['operator', 'list', '--json'], as('nobody', 'not-it'));
    expect([wrong.code, unknown.code]).toEqual([2, 2]);
    expect(lastJsonLine(wrong.stdout)).toEqual(lastJsonLine(unknown.stdout));
    expect(lastJsonLine(wrong.stdout)).toMatchObject({ error: { code: 'OPERATOR_SIGN_IN_FAILED' } });
  });

  it('changes a secret and disables an operator, both audited as the admin', async () => {
    const passwd = await fieldline(['operator', 'passwd', 'ana'], { ...as('root', 'root-secret-1'), FIELDLINE_NEW_OPERATOR_SECRET: 'ana-pin-1357' });
    expect(passwd.code, passwd.stderr).toBe(0);
    const disable = await fieldline(['operator', 'disable', 'ana'], as('root', 'root-secret-1'));
    expect(disable.code, disable.stderr).toBe(0);
    const signIn = await fieldline(['operator', 'list', '--json'], as('ana', 'ana-pin-1357'));
    expect(lastJsonLine(signIn.stdout)).toMatchObject({ error: { code: 'OPERATOR_DISABLED' } });
    const entries = JSON.parse((await fieldline(['audit', 'list', '--json'])).stdout) as Array<{ actor: string; action: string; subject: string }>;
    expect(entries.slice(-2).map((e) => [e.actor, e.action, e.subject])).toEqual([
      ['operator:root', 'operator.passwd', 'ana'],
      ['operator:root', 'operator.disable', 'ana'],
    ]);
  });
});
