/**
 * The command families and the top-level commands each one adds. main() loads only the family the arguments name:
 * importing every family compiles or loads the whole tree (store, PKI, provisioning, the station's server) for a
 * command that needs one corner of it, and that was most of `fieldline smp echo`'s 2.5 s. A new command family is
 * one row here; families.test.ts checks each row against what its module really registers.
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
  {
    name: 'profile',
    commands: ['profile'],
    load: async () => {
      const [profile, test] = await Promise.all([import('./profile'), import('./profile-test')]);
      return (p) => test.registerProfileTestCommand(profile.registerProfileCommands(p));
    },
  },
  { name: 'provision', commands: ['provision'], load: async () => wrap((await import('./provision')).registerProvisionCommand) },
  { name: 'batch', commands: ['batch'], load: async () => wrap((await import('./batch')).registerBatchCommand) },
  { name: 'drift', commands: ['drift'], load: async () => wrap((await import('./drift')).registerDriftCommand) },
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
      const [server, client] = await Promise.all([import('./registry'), import('./registry-station')]);
      return (p) => void client.registerRegistryClientCommands(server.registerRegistryCommands(p));
    },
  },
  { name: 'queue', commands: ['queue'], load: async () => wrap((await import('./queue')).registerQueueCommands) },
  { name: 'sync', commands: ['sync'], load: async () => wrap((await import('./sync')).registerSyncCommand) },
  { name: 'station', commands: ['station'], load: async () => wrap((await import('./station')).registerStationCommand) },
  { name: 'store', commands: ['store'], load: async () => wrap((await import('./store')).registerStoreCommands) },
];

const VERSION_FLAGS = new Set(['-V', '--version']);

/**
 * The families `fieldline <args>` needs: none for `--version` alone; the one that adds the command the first
 * argument names; every family otherwise — top-level help, `help`, no command, or an unknown one (whose "did you
 * mean" suggestion is drawn from every command's name).
 */
export function familiesFor(args: readonly string[]): readonly Family[] {
  if (args.length === 1 && VERSION_FLAGS.has(args[0]!)) return [];
  const first = args[0];
  const named = first === undefined ? undefined : FAMILIES.find((f) => f.commands.includes(first));
  return named ? [named] : FAMILIES;
}

/** Registers `families` on `program` in table order, so help lists commands the same way every time; their modules load in parallel. */
export async function registerFamilies(program: Command, families: readonly Family[]): Promise<void> {
  const registers = await Promise.all(families.map((f) => f.load()));
  for (const register of registers) register(program);
}
