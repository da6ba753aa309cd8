/**
 * What top-level help says of each command — its term (`report [options] <run-id>`) and its description — without
 * loading any command family: `fieldline`, `fieldline --help` and an unknown command's "did you mean" are answered
 * from here in a tenth of the time loading all nineteen families takes. Each line is what the family's module
 * registers; families.test.ts compares the two, so a change to a command's description is made in both.
 */
import { Help, type Command } from 'commander';

export interface CommandSummary {
  name: string;
  /** As commander's help writes it: the name, `[options]` when it has any, its arguments. */
  term: string;
  description: string;
}

/** In the order top-level help lists them (main/cli/families.ts's order). */
export const COMMAND_SUMMARIES: readonly CommandSummary[] = [
  { name: 'ports', term: 'ports [options]', description: 'list serial ports with USB vendor/product ids and serial numbers (pseudo-terminals are not listed)' },
  { name: 'smp', term: 'smp', description: 'talk SMP (MCUmgr) to one gateway, like mcumgr' },
  { name: 'ble', term: 'ble', description: 'Bluetooth LE: find gateways in range' },
  {
    name: 'sim',
    term: 'sim [options]',
    description: 'run virtual gateways on pseudo-terminals (socat), reachable like USB gateways; with --ble, as Bluetooth LE peripherals',
  },
  { name: 'ca', term: 'ca', description: 'the station certificate authority that signs device certificates (files in <data-dir>/ca/)' },
  { name: 'operator', term: 'operator', description: 'operator accounts with roles (technician, supervisor, admin): add, list, disable, passwd' },
  { name: 'profile', term: 'profile', description: 'golden-configuration profiles: lint, show, sign, verify, keygen' },
  { name: 'firmware', term: 'firmware', description: 'MCUboot firmware images: show the header and TLVs, verify the signature against trusted keys' },
  {
    name: 'provision',
    term: 'provision [options]',
    description: 'provision one gateway with a profile: identify, firmware, identity, configuration, diagnostics, finalize (rolled back on failure)',
  },
  { name: 'batch', term: 'batch [options]', description: 'provision every gateway plugged in (zero-touch), several at once, and summarize the batch' },
  { name: 'drift', term: 'drift [options]', description: 'compare a device with its golden configuration (settings, files, firmware minimum, identity)' },
  { name: 'service', term: 'service', description: 'field-service actions on a gateway, each recorded as a service record and synced like a run' },
  { name: 'runs', term: 'runs', description: 'provisioning runs recorded in the data directory' },
  { name: 'audit', term: 'audit', description: 'the hash-chained audit log of provisioning actions' },
  {
    name: 'repair',
    term: 'repair [options]',
    description: 'revoke certificates of runs that never finished (a killed process, a crash) and mark those runs interrupted',
  },
  {
    name: 'replace',
    term: 'replace [options]',
    description: "replace a unit: provision the new one with the old one's variables, then revoke the old one's certificate (reason replaced) and link both",
  },
  { name: 'replacements', term: 'replacements [options] <serial>', description: 'show what a unit replaced and what replaced it, from the store' },
  {
    name: 'report',
    term: 'report [options] <run-id>',
    description: 'write the one-page report of a run (device, profile, firmware, certificate, diagnostics, outcome)',
  },
  {
    name: 'label',
    term: 'label [options] <run-id>',
    description: 'print the label of a passing run (ZPL: serial, certificate fingerprint, QR code) to a printer, a file or stdout',
  },
  { name: 'line', term: 'line', description: 'the factory line’s KPIs and statistical process control, over the runs in the store' },
  { name: 'registry', term: 'registry', description: 'the device registry: run the reference registry, issue station tokens, register keys' },
  { name: 'release', term: 'release', description: 'signed releases of profiles and firmware: publish into a registry channel that stations follow' },
  { name: 'queue', term: 'queue', description: 'finished runs waiting for the registry: status, dead-letter list, retry, offline bundles' },
  {
    name: 'sync',
    term: 'sync [options]',
    description: 'send the queued runs to the registry (fieldline registry login first): once, or continuously until Ctrl+C',
  },
  { name: 'visit', term: 'visit', description: 'the service kit for a site visit without a connection: prepare it from the registry, see what it holds' },
  {
    name: 'station',
    term: 'station [options]',
    description: 'station web mode: serve the UI and its API to a browser on this machine (or, with a token, the network)',
  },
  { name: 'store', term: 'store', description: 'the local store (fieldline.db) in the data directory' },
  {
    name: 'doctor',
    term: 'doctor [options]',
    description: 'check this machine for what stops a station: serial permissions, ModemManager, brltty, Bluetooth, the CA, the registry and clock, disk, the store',
  },
];

/**
 * Adds every command as a stand-in that top-level help lists exactly as the real one. main() adds them only when the
 * arguments name no command (familiesFor in main/cli/families.ts), so none is ever run; one that is, is a bug.
 */
export function addCommandSummaries(program: Command): void {
  const terms = new Map<Command, string>();
  for (const summary of COMMAND_SUMMARIES) {
    const standIn = program
      .command(summary.name)
      .description(summary.description)
      .action(() => {
        throw new Error(`the stand-in for "${summary.name}" ran: its command family was not loaded`);
      });
    terms.set(standIn, summary.term);
  }
  program.configureHelp({
    subcommandTerm(this: Help, cmd: Command): string {
      return terms.get(cmd) ?? Help.prototype.subcommandTerm.call(this, cmd);
    },
  });
}
