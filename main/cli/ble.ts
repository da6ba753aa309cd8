/** `fieldline ble scan`: the gateways in range that advertise the SMP service, with their signal strength. */
import { Command, Option } from 'commander';
import { FieldlineError } from '../errors';
import { BLE_ADAPTERS, BLE_ADAPTER_ENV, BLE_SOCKET_ENV, resolveBleAdapter } from '../transport/ble/adapter-choice';
import { createBleRadios } from '../transport/ble/noble';
import { scanGateways } from '../transport/ble/scan';
import { cliLogger, print, printJson, type OutputOptions } from './output';
import { BLE_HELP, finishBle } from './target-options';

interface ScanOptions extends OutputOptions {
  duration: number;
  bleAdapter?: string;
  bleSocket?: string;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 300) {
    throw new FieldlineError('INVALID_ARGUMENT', `--duration must be a number of seconds from 0.1 to 300, not "${value}"`);
  }
  return n;
}

export function registerBleCommands(program: Command): void {
  const ble = program.command('ble').description('Bluetooth LE: find gateways in range');
  ble
    .command('scan')
    .description('list the gateways advertising the SMP (MCUmgr) service: address, name, signal strength (strongest first)')
    .option('-d, --duration <s>', 'how long to listen, in seconds', seconds, 5)
    .addOption(new Option('--ble-adapter <adapter>', `Bluetooth adapter: system or virtual (default: ${BLE_ADAPTER_ENV}, else system)`).choices([...BLE_ADAPTERS]))
    .option('--ble-socket <path>', `virtual adapter: the socket of \`fieldline sim --ble\` (default: ${BLE_SOCKET_ENV} or <tmp>/fieldline-ble.sock)`)
    .option('--json', 'JSON lines: {"event":"found",…} as each gateway is first heard, then the list as one array of {id, address, name, rssi}')
    .option('-v, --verbose', 'log to stderr')
    .addHelpText('after', BLE_HELP)
    .action(async (opts: ScanOptions) => {
      const adapter = resolveBleAdapter(opts.bleAdapter);
      // This command's own noble instances, released when it ends.
      const radios = createBleRadios();
      try {
        const noble = await radios.load(adapter, { ...(opts.bleSocket ? { socketPath: opts.bleSocket } : {}), logger: cliLogger(opts, 'ble') });
        const announced = new Set<string>();
        const found = await scanGateways(noble, {
          durationMs: Math.round(opts.duration * 1000),
          onUpdate: (g) => {
            if (announced.has(g.id)) return;
            announced.add(g.id);
            if (opts.json) printJson({ event: 'found', ...g });
            else if (process.stderr.isTTY) process.stderr.write(`  heard ${g.name || '(no name)'} ${g.address} ${g.rssi} dBm\n`);
          },
        });
        print(opts, found, () =>
          found.length === 0
            ? 'no Bluetooth gateways advertising the SMP service were heard'
            : found.map((g) => `${g.address || g.id}\t${g.name || '(no name)'}\t${g.rssi} dBm`).join('\n'),
        );
      } finally {
        await finishBle({ kind: 'ble', selector: '', adapter }, radios);
      }
    });
}
