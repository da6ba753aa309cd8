/**
 * `fieldline doctor [--json]`: what on this machine stands between it and a working station (main/core/doctor/),
 * each check with what it found and the exact fix. Exit 0 when nothing fails (warnings allowed), 1 when a check
 * fails. The data directory is not created when it cannot be: a folder that cannot be written is one of the findings.
 */
import { Command } from 'commander';
import type { DoctorCheck, DoctorReport } from '../contract/doctor';
import { dataDirPath } from '../data-dir';
import { runDoctor } from '../core/doctor/doctor';
import { stationProbes } from '../core/doctor/station-probes';
import { systemProbes } from '../core/doctor/system-probes';
import { createCore } from '../core/core';
import { cliDataDir, type CoreCliOptions } from './core';
import { FAKE_PROBES_ENV, fakeProbesFromEnv } from './doctor-fakes';
import { cliLogger, print } from './output';

const MARK: Record<DoctorCheck['status'], string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' };

export function doctorText(report: DoctorReport): string {
  const lines: string[] = [];
  for (const check of report.checks) {
    lines.push(`${MARK[check.status]}  ${check.title}: ${check.found}`);
    if (check.status === 'fail' || check.status === 'warn') lines.push(`      fix: ${check.fix}`);
  }
  const { pass, warn, fail, skip } = report.counts;
  lines.push('', `${pass} passed, ${warn} warning${warn === 1 ? '' : 's'}, ${fail} failed, ${skip} not checked (${report.ms} ms)`);
  return lines.join('\n');
}

/** The data directory as given; when it cannot even be made, the doctor still runs and says why. */
function dataDirOf(flag: string | undefined): string {
  try {
    return cliDataDir(flag);
  } catch {
    return dataDirPath(flag);
  }
}

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('check this machine for what stops a station: serial permissions, ModemManager, brltty, Bluetooth, the CA, the registry and clock, disk, the store')
    .option('-d, --data-dir <dir>', 'data directory (default: $FIELDLINE_DATA_DIR, else the per-user folder the desktop app uses)')
    .option('--station <name>', 'station name (default: the host name)')
    .option('--json', 'print the report as JSON')
    .option('-v, --verbose', 'log to stderr')
    .addHelpText(
      'after',
      '\nChecks run at once, each with a timeout (the whole run takes at most about 3 s). A locked CA is tried with\n' +
        'FIELDLINE_CA_PASSPHRASE (or FIELDLINE_PKCS11_PIN) when set, and never prompted for.\n' +
        'Exit codes: 0 nothing failed (warnings allowed), 1 a check failed, 2 usage.',
    )
    .action(async (opts: CoreCliOptions) => {
      const dataDir = dataDirOf(opts.dataDir);
      // Its own core, not withCore's: no passphrase prompt ever, and a data directory that cannot be made is a finding.
      const core = createCore({ dataDir, logger: cliLogger(opts, 'doctor'), ...(opts.station ? { station: { name: opts.station } } : {}) });
      let report: DoctorReport;
      try {
        const probes = await fakeProbesFromEnv({
          ...systemProbes(),
          ...stationProbes(core, {
            unlock: 'prompt',
            secretAtHand: (keyStore) => (keyStore === 'pkcs11' ? process.env['FIELDLINE_PKCS11_PIN'] : process.env['FIELDLINE_CA_PASSPHRASE']) || undefined,
          }),
          dataDir,
        });
        if (process.env[FAKE_PROBES_ENV]) process.stderr.write(`fieldline doctor: probes faked from ${process.env[FAKE_PROBES_ENV]} (${FAKE_PROBES_ENV}, for tests only)\n`);
        report = await runDoctor(probes);
      } finally {
        await core.close();
      }
      print(opts, report, () => doctorText(report));
      if (!report.ok) process.exitCode = 1;
    });
}
