/** The CLI as a user runs it: `fieldline smp …` as a child process against a simulator process. */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSimulator, type SpawnedSimulator } from '../testing/sim-process';
import { lastJsonLine, runFieldline, type CliRun } from '../testing/cli';
import { encodeCbor, CborMap } from '../smp/cbor';
import { encodePacket, Op } from '../smp/header';

const fieldline = (args: string[]): Promise<CliRun> => runFieldline(args, {}, 60_000);
const lastJson = lastJsonLine;

// Each test runs the CLI several times as a child process (about a second each to start): generous timeouts.
let sim: SpawnedSimulator;
let dir: string;

beforeAll(async () => {
  sim = await spawnSimulator({ count: 2, baud: 0 });
  dir = await mkdtemp(join(tmpdir(), 'fieldline-cli-'));
});

afterAll(async () => {
  await sim?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('fieldline smp', { timeout: 180_000 }, () => {
  it('echo answers with --json', async () => {
    const r = await fieldline(['smp', 'echo', 'hi', '--port', sim.gateways[0]!.port, '--json']);
    expect(r.code).toBe(0);
    expect(lastJson(r.stdout).r).toBe('hi');
  });

  it('fs upload then fs hash reports the file SHA-256', async () => {
    const file = join(dir, 'x.bin');
    const data = randomBytes(50_000);
    await writeFile(file, data);
    const up = await fieldline(['smp', 'fs', 'upload', file, '/lfs/x.bin', '--port', sim.gateways[0]!.port, '--json']);
    expect(up.code, up.stderr).toBe(0);
    const summary = lastJson(up.stdout);
    expect(summary.bytes).toBe(50_000);
    expect(summary.bytesPerSecond).toBeGreaterThan(0);
    const h = await fieldline(['smp', 'fs', 'hash', '/lfs/x.bin', '--type', 'sha256', '--port', sim.gateways[0]!.port, '--json']);
    expect(h.code, h.stderr).toBe(0);
    expect(lastJson(h.stdout).output).toBe(createHash('sha256').update(data).digest('hex'));
    const down = join(dir, 'back.bin');
    const d = await fieldline(['smp', 'fs', 'download', '/lfs/x.bin', down, '--port', sim.gateways[0]!.port, '--json']);
    expect(d.code, d.stderr).toBe(0);
    expect(await readFile(down)).toEqual(data);
  });

  it('image upload, list; settings set/get; shell; stat; identity; params; info', async () => {
    const port = sim.gateways[1]!.port;
    const img = join(dir, 'fw.bin');
    const made = await fieldline(['sim', 'make-image', '--version', '2.0.0', '--size', '20000', '-o', img, '--json']);
    expect(made.code, made.stderr).toBe(0);
    const up = await fieldline(['smp', 'image', 'upload', img, '--port', port, '--json']);
    expect(up.code, up.stderr).toBe(0);
    expect(lastJson(up.stdout).bytes).toBe(20_000);
    const list = await fieldline(['smp', 'image', 'list', '--port', port, '--json']);
    const slots = JSON.parse(list.stdout) as Array<{ slot: number; version: string }>;
    expect(slots.find((s) => s.slot === 1)?.version).toBe('2.0.0');

    expect((await fieldline(['smp', 'settings', 'set', 'app/interval', '30', '--as', 'u32', '--port', port])).code).toBe(0);
    const get = await fieldline(['smp', 'settings', 'get', 'app/interval', '--as', 'u32', '--port', port, '--json']);
    expect(lastJson(get.stdout)).toMatchObject({ value: 30, hex: '1e000000' });

    const shell = await fieldline(['smp', 'shell', 'hwinfo', 'devid', '--port', port, '--json']);
    expect(String(lastJson(shell.stdout).output)).toContain(sim.gateways[1]!.serial.toLowerCase());

    const stat = await fieldline(['smp', 'stat', 'read', 'smp', '--port', port, '--json']);
    expect(lastJson(stat.stdout).name).toBe('smp');

    const csr = await fieldline(['smp', 'identity', 'csr', '--subject', 'CN=GW-1', '--port', port, '--json']);
    expect(String(lastJson(csr.stdout).csr)).toContain('BEGIN CERTIFICATE REQUEST');
    const info = await fieldline(['smp', 'identity', 'info', '--port', port, '--json']);
    expect(lastJson(info.stdout).key).toBe(true);

    expect(lastJson((await fieldline(['smp', 'params', '--port', port, '--json'])).stdout)).toEqual({ bufSize: 2475, bufCount: 4 });
    expect(String(lastJson((await fieldline(['smp', 'info', '--port', port, '--json'])).stdout).output)).toContain('Zephyr');
  });

  it('explains a missing port and a busy port in words, with a non-zero exit', async () => {
    const missing = await fieldline(['smp', 'echo', 'x', '--port', '/dev/fieldline-nope']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no serial port at \/dev\/fieldline-nope/);
    const json = await fieldline(['smp', 'echo', 'x', '--port', '/dev/fieldline-nope', '--json']);
    expect(lastJson(json.stdout)).toMatchObject({ error: { code: 'PORT_NOT_FOUND' } });
  });

  it('smp decode reproduces an indefinite-length Zephyr reply it has never seen', async () => {
    // Image state read reply with two slots, encoded the way zcbor does (indefinite maps and array).
    const body = Buffer.concat([
      Buffer.from([0xbf]),
      Buffer.from(encodeCbor('images')),
      Buffer.from([0x9f, 0xbf]),
      Buffer.from(encodeCbor('slot')), Buffer.from(encodeCbor(0)),
      Buffer.from(encodeCbor('version')), Buffer.from(encodeCbor('1.2.3')),
      Buffer.from(encodeCbor('hash')), Buffer.from(encodeCbor(new Uint8Array([1, 2, 3]))),
      Buffer.from(encodeCbor('active')), Buffer.from(encodeCbor(true)),
      Buffer.from([0xff, 0xbf]),
      Buffer.from(encodeCbor('slot')), Buffer.from(encodeCbor(1)),
      Buffer.from(encodeCbor('version')), Buffer.from(encodeCbor('1.3.0')),
      Buffer.from([0xff, 0xff]),
      Buffer.from(encodeCbor('splitStatus')), Buffer.from(encodeCbor(0)),
      Buffer.from([0xff]),
    ]);
    const packet = encodePacket({ op: Op.ReadRsp, version: 1, flags: 0, group: 1, sequence: 42, command: 0 }, body);
    const r = await fieldline(['smp', 'decode', Buffer.from(packet).toString('hex')]);
    expect(r.code, r.stderr).toBe(0);
    const decoded = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(decoded.header).toMatchObject({ op: 1, version: 1, flags: 0, length: body.length, group: 1, sequence: 42, command: 0 });
    expect(decoded.body).toEqual({
      images: [
        { slot: 0, version: '1.2.3', hash: { $bytes: '010203' }, active: true },
        { slot: 1, version: '1.3.0' },
      ],
      splitStatus: 0,
    });
    expect(decoded.cbor_indefinite_length_containers).toEqual(['map', 'array', 'map', 'map']);
  });

  it('smp frame prints the serial frames, one hex line each', async () => {
    const packet = encodePacket(
      { op: Op.Write, version: 1, flags: 0, group: 0, sequence: 1, command: 0 },
      encodeCbor(new CborMap([['d', 'x'.repeat(200)]])),
    );
    const r = await fieldline(['smp', 'frame', Buffer.from(packet).toString('hex')]);
    const lines = r.stdout.trim().split('\n');
    expect(lines.map((l) => l.length / 2)).toEqual([127, 127, 47]);
    expect(lines[0]!.startsWith('0609')).toBe(true);
    expect(lines[1]!.startsWith('0414')).toBe(true);
  });

  it('smp decode rejects garbage with a clear error (exit 2: a bad argument)', async () => {
    const r = await fieldline(['smp', 'decode', 'zz']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/hex/);
  });
});
