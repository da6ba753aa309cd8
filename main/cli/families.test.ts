/** The static family table (main/cli/families.ts) must say what each family's module really registers. */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { FAMILIES, familiesFor, registerFamilies } from './families';

async function topLevelNames(families: typeof FAMILIES): Promise<string[]> {
  const program = new Command('fieldline');
  await registerFamilies(program, families);
  return program.commands.flatMap((c) => [c.name(), ...c.aliases()]);
}

describe('the command family table', () => {
  it.each(FAMILIES.map((f) => [f.name, f] as const))('%s registers exactly the top-level commands its row names', async (_name, family) => {
    expect(await topLevelNames([family])).toEqual(family.commands);
  });

  it('no command is claimed by two families', () => {
    const names = FAMILIES.flatMap((f) => f.commands);
    expect(new Set(names).size).toBe(names.length);
  });

  it('every family together registers the commands in table order', async () => {
    expect(await topLevelNames(FAMILIES)).toEqual(FAMILIES.flatMap((f) => f.commands));
  });
});

describe('familiesFor', () => {
  it('--version alone needs no family', () => {
    expect(familiesFor(['--version'])).toEqual([]);
    expect(familiesFor(['-V'])).toEqual([]);
  });

  it('a named command needs only its family', () => {
    expect(familiesFor(['smp', 'echo', 'hi']).map((f) => f.name)).toEqual(['smp']);
    expect(familiesFor(['ports', '--json']).map((f) => f.name)).toEqual(['smp']);
    expect(familiesFor(['replacements', 'SN1']).map((f) => f.name)).toEqual(['replace']);
  });

  it('help, no command, an option first or an unknown command need every family', () => {
    for (const args of [[], ['--help'], ['help', 'smp'], ['-h'], ['smpp', 'echo'], ['--version', 'smp']]) {
      expect(familiesFor(args)).toBe(FAMILIES);
    }
  });
});
