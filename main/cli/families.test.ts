/** The static family table (main/cli/families.ts) must say what each family's module really registers. */
import { Command, Help } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMAND_SUMMARIES } from './command-summaries';
import { FAMILIES, familiesFor, registerFamilies } from './families';
import { buildProgram } from './index';

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

describe('the command summaries (top-level help without loading any family)', () => {
  it('list every command by the name, term and description its family registers, in the same order', async () => {
    const program = new Command('fieldline');
    await registerFamilies(program, FAMILIES);
    const help = new Help();
    expect(COMMAND_SUMMARIES).toEqual(program.commands.map((c) => ({ name: c.name(), term: help.subcommandTerm(c), description: c.description() })));
  });

  it('make top-level help, and an unknown command\'s suggestion, exactly what the loaded families make', async () => {
    const full = await buildProgram();
    const summaries = await buildProgram({ families: [], summaries: true });
    expect(summaries.helpInformation()).toBe(full.helpInformation());
    for (const typo of ['smpp', 'provison', 'replacement']) {
      expect(await commanderError(summaries, typo)).toEqual(await commanderError(full, typo));
    }
  });
});

/** The message of the commander error `fieldline <arg>` ends with. */
async function commanderError(program: Command, arg: string): Promise<string> {
  try {
    await program.parseAsync(['node', 'fieldline', arg]);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`fieldline ${arg} did not fail`);
}

describe('familiesFor', () => {
  const names = (args: string[]): string[] => familiesFor(args).families.map((f) => f.name);

  it('--version alone needs no family and no summaries', () => {
    expect(familiesFor(['--version'])).toEqual({ families: [], summaries: false });
    expect(familiesFor(['-V'])).toEqual({ families: [], summaries: false });
  });

  it('a named command needs only its family, also after an option or as help\'s argument', () => {
    expect(names(['smp', 'echo', 'hi'])).toEqual(['smp']);
    expect(names(['ports', '--json'])).toEqual(['smp']);
    expect(names(['replacements', 'SN1'])).toEqual(['replace']);
    expect(names(['--json', 'smp', 'echo'])).toEqual(['smp']);
    expect(names(['help', 'audit'])).toEqual(['runs']);
    expect(familiesFor(['smp']).summaries).toBe(false);
  });

  it('top-level help, no command, or an unknown command need the summaries and no family', () => {
    for (const args of [[], ['--help'], ['-h'], ['-h', 'smp'], ['help'], ['help', 'smpp'], ['smpp', 'echo'], ['--json']]) {
      expect(familiesFor(args), args.join(' ')).toEqual({ families: [], summaries: true });
    }
  });
});
