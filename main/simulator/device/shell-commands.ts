/**
 * The commands the virtual gateway's Zephyr shell knows, with their output as the real commands print it
 * (drivers/hwinfo/hwinfo_shell.c, the kernel shell) plus the product's `diag` commands. Output uses "\n"; the shell
 * group turns it into what the dummy backend captures.
 */
import { createHash } from 'node:crypto';
import { formatZephyrVersion } from '../../device/mcuboot-image';
import type { DeviceContext } from './context';
import type { DiagnosticName } from './config';
import { fsShellCommand } from './fs-shell';
import { BOARD } from './os';
import { ERRNO, type ShellCommand } from './shell-types';

/** A number per device that stays put across runs, for readings that should look alive but be reproducible. */
function deviceNoise(serial: string, salt: string): number {
  return createHash('sha256').update(`${serial}/${salt}`).digest().readUInt32BE(0);
}

function diagnostics(ctx: DeviceContext): ShellCommand[] {
  const running = (): string | undefined => {
    const image = ctx.state.slot(0)?.image;
    return image ? formatZephyrVersion(image.version) : undefined;
  };
  const fails = (name: DiagnosticName): boolean => ctx.config.failDiagnostics.has(name) || (ctx.config.failDiagnosticsOnImage.has(name) && ctx.config.failDiagnosticsOnImage.get(name) === running());
  const temp: ShellCommand = {
    name: 'temp',
    help: 'Die temperature',
    run: () => {
      if (fails('temp')) return { out: `temperature: sensor read failed (err -${ERRNO.EIO})\n`, ret: -ERRNO.EIO };
      const centi = 2200 + (deviceNoise(ctx.config.serial, 'temp') % 500);
      return { out: `temperature: ${(centi / 100).toFixed(2)} C\n`, ret: 0 };
    },
  };
  const modem: ShellCommand = {
    name: 'modem',
    help: 'Modem registration, RSSI and operator',
    run: () => {
      if (fails('modem')) {
        return {
          out:
            'registration: not registered (searching)\nrssi: unknown\noperator: none\n' +
            `modem: no response from module (err -${ERRNO.ETIMEDOUT})\n`,
          ret: -ERRNO.ETIMEDOUT,
        };
      }
      const rssi = -55 - (deviceNoise(ctx.config.serial, 'rssi') % 40);
      return { out: `registration: registered (home)\nrssi: ${rssi} dBm\noperator: Fieldline Net (00101)\n`, ret: 0 };
    },
  };
  const selftest: ShellCommand = {
    name: 'selftest',
    help: 'RAM, flash, crypto and RTC checks',
    run: () => {
      const lines = ['ram: PASS', fails('selftest') ? 'flash: FAIL (verify error at 0x000f8000)' : 'flash: PASS', 'crypto: PASS', 'rtc: PASS'];
      const failed = lines.filter((l) => l.includes('FAIL')).length;
      lines.push(failed ? `selftest: FAIL (${failed} of 4 checks failed)` : 'selftest: PASS');
      return { out: lines.map((l) => `${l}\n`).join(''), ret: failed ? -ERRNO.EIO : 0 };
    },
  };
  return [temp, modem, selftest];
}

export function shellCommands(ctx: DeviceContext): ShellCommand[] {
  const commands: ShellCommand[] = [
    { name: 'diag', help: 'Gateway diagnostics', subcommands: diagnostics(ctx) },
    {
      name: 'hwinfo',
      help: 'HWINFO commands',
      subcommands: [
        {
          name: 'devid',
          help: 'Show device id',
          run: () => {
            const id = ctx.config.serialBytes;
            return { out: `Length: ${id.length}\nID: 0x${Buffer.from(id).toString('hex')}\n`, ret: 0 };
          },
        },
      ],
    },
    {
      name: 'kernel',
      help: 'Kernel commands',
      subcommands: [
        { name: 'uptime', help: 'Kernel uptime', run: () => ({ out: `Uptime: ${Math.floor(ctx.uptimeMs())} ms\n`, ret: 0 }) },
        { name: 'version', help: 'Kernel version', run: () => ({ out: `Zephyr version ${BOARD.kernelVersion}\n`, ret: 0 }) },
      ],
    },
  ];
  if (ctx.config.fsShell) commands.push(fsShellCommand(ctx));
  commands.push({
    name: 'help',
    help: 'Prints the help message.',
    maxArgs: 255,
    run: () => ({ out: `Available commands:\n${listing(commands)}`, ret: 0 }),
  });
  return commands.sort((a, b) => a.name.localeCompare(b.name));
}

function listing(commands: ShellCommand[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return commands.map((c) => `  ${c.name.padEnd(width)} : ${c.help}\n`).join('');
}

/** shell_internal_help_print: the command, its help, and its subcommands. */
export function commandHelp(cmd: ShellCommand): string {
  const head = `${cmd.name} - ${cmd.help}\n`;
  return cmd.subcommands?.length ? `${head}Subcommands:\n${listing(cmd.subcommands)}` : head;
}
