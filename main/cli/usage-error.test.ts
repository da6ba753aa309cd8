import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { commandPath, isHelpOrVersion, usageError } from './usage-error';

function program(): Command {
  const root = new Command('fieldline');
  const smp = root.command('smp');
  smp.command('echo').argument('<text>');
  root.command('provision').requiredOption('--profile <file>');
  return root;
}

describe('commander errors as usage errors', () => {
  it('finds the command the arguments name, skipping options', () => {
    expect(commandPath(program(), ['smp', '--json', 'echo', 'hi'])).toBe('fieldline smp echo');
    expect(commandPath(program(), ['nosuch'])).toBe('fieldline');
  });

  it('names the missing option in the fix', () => {
    const err = usageError(new CommanderError(1, 'commander.missingMandatoryOptionValue', "error: required option '--profile <file>' not specified"), 'fieldline provision');
    expect(err.code).toBe('USAGE');
    expect(err.message).toBe("required option '--profile <file>' not specified");
    expect(err.details.hint).toBe('add --profile <file> (`fieldline provision --help` lists its options and arguments)');
  });

  it('says a command group needs a command instead of commander’s "(outputHelp)"', () => {
    const help = new CommanderError(1, 'commander.help', '(outputHelp)');
    expect(isHelpOrVersion(help)).toBe(true);
    expect(usageError(help, 'fieldline ca').message).toBe('fieldline ca needs a command');
  });
});
