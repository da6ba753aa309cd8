/**
 * The command families and the top-level commands each one adds. main() loads only the family the arguments name:
 * importing every family compiles or loads the whole tree (store, PKI, provisioning, the station's server) for a
 * command that needs one corner of it, and that was most of `fieldline smp echo`'s 2.5 s. A new command family is
 * one row here, and its commands' lines in main/cli/command-summaries.ts; families.test.ts checks both against what
 * its module really registers.
 */
import type { Command } from 'commander';

export interface Family {
  /** The family's name (its module under main/cli/). */
  name: string;
  /** The top-level commands it adds — the names the first argument may give. */
  commands: readonly string[];
  /** Loads the family's module(s); answers the function that adds its commands to a program. */
  load(): Promise<(program: Command) => void>;
}

/** A register function as the family's module exports it (some answer the command they added, for the next). */
const wrap =
  (register: (program: Command) => unknown) =>
  (program: Command): void =>
    void register(program);

/** In the order top-level help lists them. */
export const FAMILIES: readonly Family[] = [
  { name: 'smp', commands: ['ports', 'smp'], load: async () => wrap((await import('./smp')).registerSmpCommands) },
  { name: 'ble', commands: ['ble'], load: async () => wrap((await import('./ble')).registerBleCommands) },
  { name: 'sim', commands: ['sim'], load: async () => wrap((await import('./sim')).registerSimCommands) },
  { name: 'ca', commands: ['ca'], load: async () => wrap((await import('./ca')).registerCaCommands) },
  { name: 'operator', commands: ['operator'], load: async () => wrap((await import('./operator')).registerOperatorCommands) },
  {
    name: 'profile',
    commands: ['profile'],
    load: async () => {
      const [profile, test, release] = await Promise.all([import('./profile'), import('./profile-test'), import('./release-station')]);
      return (p) => test.registerProfileTestCommand(release.registerProfileListCommand(profile.registerProfileCommands(p)));
    },
  },
  { name: 'firmware', commands: ['firmware'], load: async () => wrap((await import('./firmware')).registerFirmwareCommands) },
  { name: 'provision', commands: ['provision'], load: async () => wrap((await import('./provision')).registerProvisionCommand) },
  { name: 'batch', commands: ['batch'], load: async () => wrap((await import('./batch')).registerBatchCommand) },
  { name: 'drift', commands: ['drift'], load: async () => wrap((await import('./drift')).registerDriftCommand) },
  { name: 'service', commands: ['service'], load: async () => wrap((await import('./service')).registerServiceCommands) },
  { name: 'runs', commands: ['runs', 'audit'], load: async () => wrap((await import('./runs')).registerRunsCommands) },
  { name: 'repair', commands: ['repair'], load: async () => wrap((await import('./repair')).registerRepairCommand) },
  { name: 'replace', commands: ['replace', 'replacements'], load: async () => wrap((await import('./replace')).registerReplaceCommands) },
  { name: 'report', commands: ['report'], load: async () => wrap((await import('./report')).registerReportCommand) },
  { name: 'label', commands: ['label'], load: async () => wrap((await import('./label')).registerLabelCommand) },
  { name: 'line', commands: ['line'], load: async () => wrap((await import('./line')).registerLineCommands) },
  {
    name: 'registry',
    commands: ['registry'],
    load: async () => {
      const [server, client, release] = await Promise.all([import('./registry'), import('./registry-station'), import('./release-station')]);
      return (p) => void release.registerFollowCommand(client.registerRegistryClientCommands(server.registerRegistryCommands(p)));
    },
  },
  { name: 'release', commands: ['release'], load: async () => wrap((await import('./release')).registerReleaseCommands) },
  { name: 'queue', commands: ['queue'], load: async () => wrap((await import('./queue')).registerQueueCommands) },
  { name: 'sync', commands: ['sync'], load: async () => wrap((await import('./sync')).registerSyncCommand) },
  { name: 'visit', commands: ['visit'], load: async () => wrap((await import('./visit')).registerVisitCommands) },
  { name: 'station', commands: ['station'], load: async () => wrap((await import('./station')).registerStationCommand) },
  { name: 'store', commands: ['store'], load: async () => wrap((await import('./store')).registerStoreCommands) },
  { name: 'doctor', commands: ['doctor'], load: async () => wrap((await import('./doctor')).registerDoctorCommand) },
];

/** What main() loads for one command line: command families, or the stand-ins of main/cli/command-summaries.ts. */
export interface Selection {
  families: readonly Family[];
  /** Top-level help (or a usage error) is all the arguments can lead to: every command as a stand-in. */
  summaries: boolean;
}

const isHelpFlag = (arg: string): boolean => arg === '-h' || arg === '--help';

/**
 * What `fieldline <args>` needs. The command is the first argument that is not an option (the program's own options,
 * -V and -h, take no value); `help <command>` names it too. That command's family alone; nothing for `--version`;
 * the stand-ins for top-level help — no command, `help` alone, -h before the command — and for an unknown command,
 * whose "did you mean" is drawn from every command's name.
 */
export function familiesFor(args: readonly string[]): Selection {
  const summaries: Selection = { families: [], summaries: true };
  const at = args.findIndex((a) => !a.startsWith('-'));
  const before = at < 0 ? args : args.slice(0, at);
  if (before.some(isHelpFlag)) return summaries;
  if (at < 0) return before.length > 0 && before.every((a) => a === '-V' || a === '--version') ? { families: [], summaries: false } : summaries;
  const name = args[at] === 'help' ? args.slice(at + 1).find((a) => !a.startsWith('-')) : args[at];
  const family = name === undefined ? undefined : FAMILIES.find((f) => f.commands.includes(name));
  return family ? { families: [family], summaries: false } : summaries;
}

/** Registers `families` on `program` in table order, so help lists commands the same way every time; their modules load in parallel. */
export async function registerFamilies(program: Command, families: readonly Family[]): Promise<void> {
  const registers = await Promise.all(families.map((f) => f.load()));
  for (const register of registers) register(program);
}
