import { lstat, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFieldlineError } from '../../errors';
import { spawnSimulator } from '../../testing/sim-process';
import { createPtyLink } from './pty-link';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fieldline-pty-link-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const exists = (p: string): Promise<boolean> => lstat(p).then(() => true, () => false);
/** How long a poll waits for bytes or processes: only a guard against a hang (a tight one fails a loaded CI). */
const WAIT_MS = 15_000;

function openApp(path: string): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  return new Promise((resolve, reject) => port.open((err) => (err ? reject(err) : resolve(port))));
}

/** Command lines of running processes that mention `text` (from /proc). */
async function processesMentioning(text: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(text)) found.push(cmdline.replaceAll('\0', ' '));
  }
  return found;
}

describe('createPtyLink', () => {
  it('gives the app a pty and the device pipes, carrying every byte value both ways; removes the link on stop', async () => {
    const link = await createPtyLink({ appPath: join(dir, 'app') });
    expect(await exists(link.appPath)).toBe(false); // not before publish()
    await link.publish();
    const app = await openApp(link.appPath);
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const fromApp: number[] = [];
    link.port.onData((b) => fromApp.push(...b));
    app.write(Buffer.from(all));
    const fromDev: number[] = [];
    app.on('data', (b: Buffer) => fromDev.push(...b));
    link.port.write(all);
    await link.port.flush();
    const deadline = Date.now() + WAIT_MS;
    while ((fromApp.length < 256 || fromDev.length < 256) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    // Raw both ways: no echo, no CR added to LF, no byte eaten by the line discipline.
    expect(fromApp).toEqual([...all]);
    expect(fromDev).toEqual([...all]);

    await new Promise<void>((r) => app.close(() => r()));
    await link.stop();
    await link.exited;
    expect(await exists(link.appPath)).toBe(false);
    await link.stop(); // idempotent
  });

  it('passes on what the device wrote before the line is cut (an unplug), then the port disappears', async () => {
    const link = await createPtyLink({ appPath: join(dir, 'unplug') });
    await link.publish();
    const app = await openApp(link.appPath);
    const got: number[] = [];
    app.on('data', (b: Buffer) => got.push(...b));
    app.on('error', () => {});
    link.port.write(new Uint8Array(3000).fill(0x41));
    await link.port.flush();
    await link.port.close();
    await link.stop();
    const deadline = Date.now() + WAIT_MS;
    while (got.length < 3000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(got.length).toBe(3000);
    expect(await exists(link.appPath)).toBe(false);
    if (app.isOpen) await new Promise<void>((r) => app.close(() => r()));
  });

  it('says SOCAT_MISSING when socat cannot be run, and refuses paths socat would misread', async () => {
    const missing = await createPtyLink({ appPath: join(dir, 'a2'), socat: 'socat-that-is-not-installed' }).catch((e: unknown) => e);
    expect(isFieldlineError(missing, 'SOCAT_MISSING')).toBe(true);
    const comma = await createPtyLink({ appPath: join(dir, 'a,b') }).catch((e: unknown) => e);
    expect(isFieldlineError(comma, 'SIMULATOR_FAILED')).toBe(true);
  });

  it('leaves no socat behind when the simulator is killed with SIGKILL', async () => {
    const sim = await spawnSimulator({ count: 2, baud: 0 });
    const runDir = dirname(sim.gateways[0]!.port);
    expect((await processesMentioning(runDir)).filter((c) => c.startsWith('socat'))).toHaveLength(2);
    sim.child.kill('SIGKILL');
    const deadline = Date.now() + WAIT_MS;
    while ((await processesMentioning(runDir)).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await processesMentioning(runDir)).toEqual([]);
    await rm(runDir, { recursive: true, force: true });
  });
});
