/** `fieldline smp …`: mcumgr-like commands against one gateway, plus packet decode/frame helpers. */
import { Command, Option } from 'commander';
import { readFile, writeFile } from 'node:fs/promises';
import type { GatewaySession } from '../device/session';
import { openTarget, type DeviceTarget } from '../device/target';
import { createBleRadios } from '../transport/ble/noble';
import { FieldlineError } from '../errors';
import { decodeSettingValue, encodeSettingValue, SETTING_ENCODINGS, type SettingEncoding } from '../device/setting-values';
import { describePacket, frameHex, parseHex } from '../smp/inspect';
import { systemClock } from '../contract/clock';
import { stringifyCborJson } from '../smp/cbor';
import { createProgressMeter } from '../smp/progress-meter';
import * as fs from '../smp/groups/fs';
import * as identity from '../smp/groups/identity';
import * as image from '../smp/groups/image';
import * as os from '../smp/groups/os';
import * as settings from '../smp/groups/settings';
import { shellExec } from '../smp/groups/shell';
import { listStats, readStats } from '../smp/groups/stats';
import { GROUP } from '../smp/error-codes';
import { isGroupError } from '../smp/smp-error';
import { createSerialPortLister } from '../transport/serial';
import { cliLogger, formatBytes, print, printJson, type OutputOptions } from './output';
import { createProgressBar, type ProgressBar } from './progress-bar';
import { addTargetOptions, finishBle, targetOf, type TargetCliOptions } from './target-options';

interface PortOptions extends OutputOptions, TargetCliOptions {
  timeout: number;
  retries: number;
}

function intArg(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new FieldlineError('INVALID_ARGUMENT', `${name} must be an integer from ${min} to ${max}, not "${value}"`);
    }
    return n;
  };
}

/** Adds the options every device command shares. */
function deviceCommand(parent: Command, nameAndArgs: string, description: string): Command {
  return addTargetOptions(parent.command(nameAndArgs).description(description))
    .option('-t, --timeout <ms>', 'per-request timeout in ms', intArg('--timeout', 50, 600_000), 3000)
    .option('--retries <n>', 'retries after a timeout', intArg('--retries', 0, 20), 2)
    .option('--json', 'print JSON lines')
    .option('-v, --verbose', 'log SMP traffic to stderr');
}

/** Opens the gateway named by --port or --ble, runs `fn`, closes it (and releases noble after a BLE command). */
async function withSession<T>(opts: PortOptions, fn: (session: GatewaySession) => Promise<T>): Promise<T> {
  let target: DeviceTarget | undefined;
  // This command's own noble instances, released when it ends.
  const radios = createBleRadios();
  try {
    target = targetOf(opts);
    const session = await openTarget(target, { timeoutMs: opts.timeout, retries: opts.retries, logger: cliLogger(opts), radios });
    try {
      return await fn(session);
    } finally {
      await session.close();
    }
  } finally {
    await finishBle(target, radios);
  }
}

function transferSummary(opts: OutputOptions, what: string, r: { bytes: number; seconds: number; bytesPerSecond: number }, extra: Record<string, unknown> = {}): void {
  print(opts, { bytes: r.bytes, seconds: Number(r.seconds.toFixed(3)), bytesPerSecond: Math.round(r.bytesPerSecond), ...extra }, () =>
    `${what}: ${formatBytes(r.bytes)} in ${r.seconds.toFixed(2)} s (${formatBytes(Math.round(r.bytesPerSecond))}/s)`,
  );
}

export function registerSmpCommands(program: Command): void {
  program
    .command('ports')
    .description('list serial ports with USB vendor/product ids and serial numbers (pseudo-terminals are not listed)')
    .option('--json', 'print JSON')
    .action(async (opts: OutputOptions) => {
      const ports = await createSerialPortLister().list();
      print(opts, ports, () =>
        ports.length === 0
          ? 'no serial ports found'
          : ports.map((p) => `${p.path}\t${p.vid ?? '----'}:${p.pid ?? '----'}\t${p.serialNumber ?? ''}\t${p.manufacturer ?? ''}`).join('\n'),
      );
    });

  const smp = program.command('smp').description('talk SMP (MCUmgr) to one gateway, like mcumgr');

  deviceCommand(smp, 'echo <text>', 'echo text through the device (liveness and round-trip time)').action(async (text: string, opts: PortOptions) => {
    await withSession(opts, async (s) => {
      const t0 = performance.now();
      const r = await os.echo(s.client, text);
      const ms = Number((performance.now() - t0).toFixed(1));
      print(opts, { r, ms }, () => `${r}  (${ms} ms)`);
    });
  });

  deviceCommand(smp, 'params', "show the device's SMP buffer size and count").action(async (opts: PortOptions) => {
    await withSession(opts, async (s) => {
      const b = await os.params(s.client);
      print(opts, b, () => `buf_size ${b.bufSize}, buf_count ${b.bufCount}`);
    });
  });

  deviceCommand(smp, 'info', 'show OS / application info (like uname)')
    .option('-f, --format <letters>', 'Zephyr format letters: s n r v b m p i o a', 'a')
    .action(async (opts: PortOptions & { format: string }) => {
      await withSession(opts, async (s) => {
        const output = await os.info(s.client, opts.format);
        const boot = await os.bootloaderInfo(s.client).catch(() => ({}));
        print(opts, { output, ...boot }, () => output);
      });
    });

  deviceCommand(smp, 'reset', 'reboot the device')
    .option('--force', 'reboot even if the device reports it is busy')
    .action(async (opts: PortOptions & { force?: boolean }) => {
      await withSession(opts, async (s) => {
        await os.reset(s.client, { force: opts.force ?? false });
        print(opts, { reset: true }, () => 'device is rebooting');
      });
    });

  registerImageCommands(smp.command('image').description('firmware images: list, upload, test, confirm, erase'));
  registerFsCommands(smp.command('fs').description('files on the device: upload, download, hash, status'));
  registerSettingsCommands(smp.command('settings').description('device settings: get, set, delete, commit, save'));

  deviceCommand(smp, 'shell <argv...>', 'run a shell command on the device (put -- before its arguments if they start with -); exits 3 when the command returns non-zero').action(async (argv: string[], opts: PortOptions) => {
    await withSession(opts, async (s) => {
      const r = await shellExec(s.client, argv);
      print(opts, r, () => r.output.replace(/\n$/, ''));
      if (r.ret !== 0) process.exitCode = 3;
    });
  });

  const stat = smp.command('stat').description('device statistics');
  deviceCommand(stat, 'list', 'list statistics groups').action(async (opts: PortOptions) => {
    await withSession(opts, async (s) => {
      const groups = await listStats(s.client);
      print(opts, groups, () => groups.join('\n'));
    });
  });
  deviceCommand(stat, 'read <group>', 'read the counters of one group').action(async (group: string, opts: PortOptions) => {
    await withSession(opts, async (s) => {
      const fields = await readStats(s.client, group);
      print(opts, { name: group, fields }, () => Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join('\n'));
    });
  });

  const id = smp.command('identity').description('Fieldline identity group (64): on-device keys and certificates');
  deviceCommand(id, 'csr', 'have the device make a P-256 key and return its CSR (PEM)')
    .requiredOption('-s, --subject <dn>', 'RFC 4514 subject, e.g. CN=GW-00A1,O=Acme')
    .option('--slot <n>', 'key slot', intArg('--slot', 0, 255), 0)
    .option('-o, --out <file>', 'write the CSR (PEM) to a file')
    .action(async (opts: PortOptions & { subject: string; slot: number; out?: string }) => {
      await withSession(opts, async (s) => {
        const der = await identity.requestCsr(s.client, opts.subject, { slot: opts.slot });
        const pem = toPem('CERTIFICATE REQUEST', der);
        if (opts.out) await writeFile(opts.out, pem);
        print(opts, { slot: opts.slot, csr: pem, ...(opts.out ? { file: opts.out } : {}) }, () => (opts.out ? `CSR written to ${opts.out}` : pem.trimEnd()));
      });
    });
  deviceCommand(id, 'info', 'show whether a slot holds a key and a certificate')
    .option('--slot <n>', 'key slot', intArg('--slot', 0, 255), 0)
    .action(async (opts: PortOptions & { slot: number }) => {
      await withSession(opts, async (s) => {
        const info = await identity.identityInfo(s.client, opts.slot);
        const out = {
          slot: opts.slot,
          key: info.key,
          ...(info.cert ? { cert: toPem('CERTIFICATE', info.cert) } : {}),
          chain: info.chain.map((c) => toPem('CERTIFICATE', c)),
        };
        print(opts, out, () => `slot ${opts.slot}: ${info.key ? 'key present' : 'no key'}, ${info.cert ? 'certificate installed' : 'no certificate'}, chain of ${info.chain.length}`);
      });
    });

  smp
    .command('decode <packet-hex>')
    .description('decode a raw SMP packet: header fields and the CBOR body as JSON (byte strings as {"$bytes": hex})')
    .option('--pretty', 'indent the JSON')
    .action((hex: string, opts: { pretty?: boolean }) => {
      process.stdout.write(stringifyCborJson(describePacket(parseHex(hex)), opts.pretty ? 2 : 0) + '\n');
    });

  smp
    .command('frame <packet-hex>')
    .description('print the serial frames (SMP over console) of a raw packet, one hex string per line')
    .action((hex: string) => {
      process.stdout.write(frameHex(parseHex(hex)).join('\n') + '\n');
    });
}

/** The transfer's acknowledgements as throttled progress events, shown on `bar`. */
function transferMeter(op: string, bar: ProgressBar): (done: number, total: number) => void {
  return createProgressMeter(op, { clock: systemClock, emit: (p) => bar.show(p) });
}

function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

function registerImageCommands(img: Command): void {
  deviceCommand(img, 'list', 'list image slots with version, hash and flags').action(async (opts: PortOptions) => {
    await withSession(opts, async (s) => {
      const slots = await image.readState(s.client);
      print(opts, slots, () =>
        slots
          .map((x) => `image ${x.image} slot ${x.slot}: ${x.version} ${x.hash ?? ''} ${['bootable', 'pending', 'confirmed', 'active', 'permanent'].filter((f) => x[f as keyof typeof x]).join(' ')}`)
          .join('\n'),
      );
    });
  });

  deviceCommand(img, 'upload <file>', 'upload an MCUboot image to the secondary slot (pipelined, resumable)')
    .option('--image <n>', 'image number (multi-image devices)', intArg('--image', 0, 255), 0)
    .option('--upgrade', 'let the device refuse an image that is not newer than the running one')
    .option('-w, --window <n>', 'requests in flight (default: buf_count − 1; 1 = stop-and-wait)', intArg('--window', 1, 64))
    .action(async (file: string, opts: PortOptions & { image: number; upgrade?: boolean; window?: number }) => {
      const data = await readLocal(file);
      await withSession(opts, async (s) => {
        const bar = createProgressBar(opts);
        const progress = transferMeter('image upload', bar);
        try {
          // Over BLE a dropped link reconnects and the upload resumes where the device stopped (same SHA-256).
          const r = await s.surviveLinkLoss('image upload', async () =>
            image.uploadImage(
              s.client,
              data,
              { ...(await s.buffers()), image: opts.image, upgrade: opts.upgrade ?? false, ...(opts.window ? { window: opts.window } : {}) },
              { onProgress: (p) => progress(p.acked, p.total) },
            ),
          );
          bar.finish();
          transferSummary(opts, 'uploaded', r, { sha256: r.sha256, resumedFrom: r.resumedFrom, ...(r.match !== undefined ? { match: r.match } : {}) });
        } finally {
          bar.finish();
        }
      });
    });

  deviceCommand(img, 'test <hash>', 'mark an uploaded image (by its hash) to run once after the next reset').action(async (hash: string, opts: PortOptions) => {
    await withSession(opts, async (s) => {
      const slots = await image.testImage(s.client, hexArg(hash, 'hash'));
      print(opts, slots, () => 'image marked for test; reset the device to run it');
    });
  });

  deviceCommand(img, 'confirm [hash]', 'confirm the running image (no hash) or make an uploaded one permanent').action(async (hash: string | undefined, opts: PortOptions) => {
    await withSession(opts, async (s) => {
      const slots = await image.confirmImage(s.client, hash ? hexArg(hash, 'hash') : undefined);
      print(opts, slots, () => 'image confirmed');
    });
  });

  deviceCommand(img, 'erase', 'erase a slot (default: the secondary)')
    .option('--slot <n>', 'slot', intArg('--slot', 0, 255))
    .action(async (opts: PortOptions & { slot?: number }) => {
      await withSession(opts, async (s) => {
        await image.eraseSlot(s.client, opts.slot);
        print(opts, { erased: opts.slot ?? 1 }, () => 'slot erased');
      });
    });
}

function registerFsCommands(f: Command): void {
  deviceCommand(f, 'upload <local> <remote>', 'upload a file (pipelined)')
    .option('-w, --window <n>', 'requests in flight (default: buf_count − 1)', intArg('--window', 1, 64))
    .action(async (local: string, remote: string, opts: PortOptions & { window?: number }) => {
      const data = await readLocal(local);
      await withSession(opts, async (s) => {
        const bar = createProgressBar(opts);
        const progress = transferMeter('file upload', bar);
        try {
          // Over BLE a dropped link reconnects and the file is written again, whole.
          const r = await s.surviveLinkLoss('file upload', async () =>
            fs.uploadFile(s.client, remote, data, { ...(await s.buffers()), ...(opts.window ? { window: opts.window } : {}) }, {
              onProgress: (p) => progress(p.acked, p.total),
            }),
          );
          bar.finish();
          transferSummary(opts, `uploaded ${remote}`, r);
        } finally {
          bar.finish();
        }
      });
    });

  deviceCommand(f, 'download <remote> <local>', 'download a file').action(async (remote: string, local: string, opts: PortOptions) => {
    await withSession(opts, async (s) => {
      const bar = createProgressBar(opts);
      const progress = transferMeter('file download', bar);
      const t0 = performance.now();
      const data = await fs.downloadFile(s.client, remote, {}, { onProgress: (p) => progress(p.acked, p.total) });
      bar.finish();
      await writeFile(local, data);
      const seconds = (performance.now() - t0) / 1000;
      transferSummary(opts, `downloaded ${remote}`, { bytes: data.length, seconds, bytesPerSecond: data.length / seconds });
    });
  });

  deviceCommand(f, 'hash <remote>', 'hash or checksum a file on the device')
    .addOption(new Option('--type <type>', 'sha256 or crc32 (device default: crc32)').choices(['sha256', 'crc32']))
    .action(async (remote: string, opts: PortOptions & { type?: string }) => {
      await withSession(opts, async (s) => {
        const h = await fs.hashFile(s.client, remote, opts.type ? { type: opts.type } : {});
        const output = typeof h.output === 'number' ? h.output.toString(16).padStart(8, '0') : h.output;
        print(opts, { name: remote, type: h.type, off: h.off, len: h.len, output }, () => `${output}  ${remote} (${h.type}, ${h.len} bytes)`);
      });
    });

  deviceCommand(f, 'stat <remote>', 'show the size of a file; exit 1 when it is not found').action(async (remote: string, opts: PortOptions) => {
    await withSession(opts, async (s) => {
      try {
        const st = await fs.fileStatus(s.client, remote);
        print(opts, { name: remote, ...st }, () => `${remote}: ${st.len} bytes`);
      } catch (err) {
        // A missing file is an answer, not a failure of the command: said plainly, like `test -e`, with exit 1.
        if (!isGroupError(err, GROUP.FS, 'FILE_NOT_FOUND')) throw err;
        print(opts, { name: remote, found: false }, () => `${remote}: not found`);
        process.exitCode = 1;
      }
    });
  });
}

function registerSettingsCommands(st: Command): void {
  const encoding = (): Option =>
    new Option('--as <encoding>', 'how the value is encoded on the device').choices([...SETTING_ENCODINGS]).default('text');

  deviceCommand(st, 'get <name>', 'read a setting')
    .addOption(encoding())
    .action(async (name: string, opts: PortOptions & { as: SettingEncoding }) => {
      await withSession(opts, async (s) => {
        const raw = await settings.readSetting(s.client, name);
        const value = decodeSettingValue(raw, opts.as);
        print(opts, { name, value, hex: Buffer.from(raw).toString('hex') }, () => String(value));
      });
    });

  deviceCommand(st, 'set <name> <value>', 'write a setting (then `settings commit` / `settings save`)')
    .addOption(encoding())
    .option('--save', 'commit and save right away')
    .action(async (name: string, value: string, opts: PortOptions & { as: SettingEncoding; save?: boolean }) => {
      const raw = encodeSettingValue(value, opts.as);
      await withSession(opts, async (s) => {
        await settings.writeSetting(s.client, name, raw);
        if (opts.save) {
          await settings.commitSettings(s.client);
          await settings.saveSettings(s.client);
        }
        print(opts, { name, hex: Buffer.from(raw).toString('hex'), saved: opts.save ?? false }, () => `${name} written${opts.save ? ' and saved' : ''}`);
      });
    });

  deviceCommand(st, 'delete <name>', 'delete a setting').action(async (name: string, opts: PortOptions) => {
    await withSession(opts, async (s) => {
      await settings.deleteSetting(s.client, name);
      print(opts, { name, deleted: true }, () => `${name} deleted`);
    });
  });

  for (const [cmd, fn, words] of [
    ['commit', settings.commitSettings, 'apply written settings'],
    ['save', settings.saveSettings, 'persist settings so they survive a reboot'],
    ['load', settings.loadSettings, 'reload settings from persistent storage'],
  ] as const) {
    deviceCommand(st, cmd, words).action(async (opts: PortOptions) => {
      await withSession(opts, async (s) => {
        await fn(s.client);
        print(opts, { [cmd]: true }, () => `settings ${cmd} done`);
      });
    });
  }
}

function hexArg(value: string, what: string): string {
  if (!/^[0-9a-fA-F]{2,128}$/.test(value) || value.length % 2 !== 0) {
    throw new FieldlineError('INVALID_ARGUMENT', `${what} must be hex, not "${value}"`);
  }
  return value.toLowerCase();
}

async function readLocal(file: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (err) {
    throw new FieldlineError('FILE_NOT_FOUND', `cannot read ${file}: ${(err as Error).message}`);
  }
}

export { printJson };
