/**
 * `fieldline --version` and `fieldline smp …` start fast because main() loads only the command family the
 * arguments name (main/cli/families.ts). Each family module is wrapped here so the test sees which ones load.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

const loaded = vi.hoisted(() => new Set<string>());
const track = (name: string) => async (original: () => Promise<unknown>) => {
  loaded.add(name);
  return original();
};
vi.mock('./smp', (o) => track('smp')(o));
vi.mock('./ble', (o) => track('ble')(o));
vi.mock('./sim', (o) => track('sim')(o));
vi.mock('./ca', (o) => track('ca')(o));
vi.mock('./profile', (o) => track('profile')(o));
vi.mock('./provision', (o) => track('provision')(o));
vi.mock('./batch', (o) => track('batch')(o));
vi.mock('./runs', (o) => track('runs')(o));
vi.mock('./station', (o) => track('station')(o));
vi.mock('./registry', (o) => track('registry')(o));

afterEach(() => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

/**
 * Runs main() with stdout captured; answers what it printed and the families it loaded for the first time (a module
 * loads once per test file, so each test names families no earlier test loaded).
 */
async function run(...args: string[]): Promise<{ out: string; newly: string[] }> {
  const before = new Set(loaded);
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  await main(['node', 'fieldline', ...args]);
  return { out, newly: [...loaded].filter((name) => !before.has(name)) };
}

const { main } = await import('./index');

describe('main() loads only the command family its arguments name', () => {
  it('--version loads no command family', async () => {
    const { out, newly } = await run('--version');
    expect(out.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(process.exitCode).toBe(0);
    expect(newly).toEqual([]);
  });

  it('smp loads the smp family alone, with its help intact', async () => {
    const { out, newly } = await run('smp', '--help');
    expect(out).toContain('talk SMP (MCUmgr) to one gateway');
    expect(process.exitCode).toBe(0);
    expect(newly).toEqual(['smp']);
  });

  it('audit (registered by the runs family) loads that family alone', async () => {
    const { newly } = await run('audit', '--help');
    expect(newly).toEqual(['runs']);
  });

  it('top-level help loads no family and lists every command', async () => {
    const { out, newly } = await run('--help');
    for (const name of ['smp', 'ble', 'sim', 'ca', 'profile', 'provision', 'batch', 'runs', 'audit', 'station', 'registry']) {
      expect(out).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    }
    expect(newly).toEqual([]);
  });

  it('help <command> loads that command\'s family', async () => {
    const { out, newly } = await run('help', 'station');
    expect(out).toContain('station web mode');
    expect(newly).toEqual(['station']);
  });
});
