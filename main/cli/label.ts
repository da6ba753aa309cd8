/**
 * `fieldline label <run-id>`: the ZPL label of a passing run — to a network printer (--printer host[:port]), to a
 * file (--out), or to stdout when neither is given. Every print (each target, stdout included: it may be piped to
 * a printer) is an audit entry `label.print` with the run, the target, the byte count and the SHA-256 of the ZPL.
 */
import { Command } from 'commander';
import { userInfo } from 'node:os';
import { labelSha256, printAudited, parsePrinterTarget, sendToPrinter, writeLabelFile, zplLabel } from '../station/labels';
import { findRun } from '../store/find-run';
import { withCore } from './core';
import { authorizeCli, operatorOption, type OperatorCliOptions } from './operator-sign-in';
import { print, type OutputOptions } from './output';

interface LabelCliOptions extends OutputOptions, OperatorCliOptions {
  printer?: string;
  out?: string;
  dataDir?: string;
  timeout: number;
}

function operator(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

export function registerLabelCommand(program: Command): void {
  operatorOption(program.command('label <run-id>'))
    .description('print the label of a passing run (ZPL: serial, certificate fingerprint, QR code) to a printer, a file or stdout')
    .option('--printer <host[:port]>', 'network label printer (raw TCP, port 9100 unless given)')
    .option('--out <file>', 'write the ZPL to this file')
    .option('--timeout <ms>', 'printer connection timeout', (v) => Number(v), 5000)
    .option('--data-dir <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: LabelCliOptions) => {
      const target = opts.printer === undefined ? undefined : parsePrinterTarget(opts.printer);
      await withCore(opts, async (core) => {
        const signedIn = await authorizeCli(core, opts, 'service', 'label');
        const store = core.store();
        const record = findRun(store, id);
        const zpl = zplLabel(record);
        const sha256 = labelSha256(zpl);
        const actor = signedIn ?? `operator:${operator()}`;
        const sendAudited = (where: string, send: () => Promise<{ bytes: number }>): Promise<{ bytes: number }> =>
          printAudited(store, { actor, record, target: where, sha256 }, send);
        const targets: string[] = [];
        let bytes = 0;
        if (opts.out !== undefined) {
          const out = opts.out;
          bytes = (await sendAudited(`file:${out}`, () => writeLabelFile(out, zpl))).bytes;
          targets.push(`file:${out}`);
        }
        if (target) {
          const where = `printer:${target.host}:${target.port}`;
          bytes = (await sendAudited(where, () => sendToPrinter(target.host, target.port, zpl, { timeoutMs: opts.timeout }))).bytes;
          targets.push(where);
        }
        if (targets.length === 0) {
          bytes = (await sendAudited('stdout', () => Promise.resolve({ bytes: Buffer.byteLength(zpl, 'utf8') }))).bytes;
          if (opts.json) print(opts, { run: record.id, serial: record.device.serial, target: 'stdout', bytes, sha256, zpl }, () => '');
          else process.stdout.write(zpl);
          return;
        }
        print(opts, { run: record.id, serial: record.device.serial, targets, bytes, sha256 }, () =>
          targets.map((t) => `label of ${record.device.serial} (run ${record.id}) sent to ${t}`).join('\n'),
        );
      });
    });
}
