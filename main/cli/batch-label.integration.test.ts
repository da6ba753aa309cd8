/**
 * `fieldline batch` is the station's line: on a station whose Settings name a label printer, each unit that passes
 * gets its label printed there (a loopback listener here) and a `label` JSON line says where, as on the Station screen.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileSecretStore } from '../core/secrets';
import { openStationSettings } from '../core/settings';
import { spawnSimulator, type SpawnedSimulator } from '../testing/sim-process';
import { REPO_ROOT, runFieldline } from '../testing/cli';

const PROFILE = join(REPO_ROOT, 'resources/profiles/gateway-eu.yaml');
let work: string;
let sim: SpawnedSimulator | undefined;
let printer: Server;
const printed: string[] = [];
const env = (): Record<string, string> => ({ FIELDLINE_DATA_DIR: join(work, 'data'), FIELDLINE_CA_PASSPHRASE: 'correct-horse-battery', FIELDLINE_PORTS_DIR: join(work, 'ports') });

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'fieldline-batch-label-'));
  printer = createServer((socket) => {
    let text = '';
    socket.setEncoding('utf8').on('data', (t: string) => (text += t));
    socket.on('end', () => {
      printed.push(text);
      socket.end();
    });
  });
  await new Promise<void>((resolve) => printer.listen(0, '127.0.0.1', resolve));
  const init = await runFieldline(['ca', 'init', '--json'], env());
  expect(init.code, init.stderr).toBe(0);
});

afterAll(async () => {
  await sim?.stop();
  await new Promise<void>((resolve) => printer.close(() => resolve()));
  await rm(work, { recursive: true, force: true });
});

describe('fieldline batch on a station with a label printer', { timeout: 240_000 }, () => {
  it('prints the label of each passing unit on the station’s printer and says so in a label line', async () => {
    const address = `127.0.0.1:${(printer.address() as AddressInfo).port}`;
    const dataDir = join(work, 'data');
    await (await openStationSettings(dataDir, createFileSecretStore(dataDir))).setPrinter(address);
    sim = await spawnSimulator({ count: 2, baud: 0, env: { FIELDLINE_PORTS_DIR: join(work, 'ports') } });

    const run = await runFieldline(['batch', '--profile', PROFILE, '--ports', 'auto', '--count', '2', '--json'], env(), 120_000);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const ends = lines.filter((l) => l.event === 'run-end');
    const labels = lines.filter((l) => l.event === 'label');
    expect(labels.map((l) => l.runId).sort()).toEqual(ends.map((e) => e.runId).sort());
    for (const label of labels) expect(label).toMatchObject({ target: expect.stringContaining(address), bytes: expect.any(Number) });
    // The printer received one ZPL label per unit, each naming its serial.
    expect(printed).toHaveLength(2);
    for (const serial of sim.gateways.map((g) => g.serial)) expect(printed.some((zpl) => zpl.startsWith('^XA') && zpl.includes(serial))).toBe(true);
  });
});
