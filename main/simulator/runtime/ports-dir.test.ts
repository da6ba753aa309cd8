import { lstat, mkdtemp, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { silentLogger } from '../../log';
import { NO_DELAYS } from '../device/config';
import { startSimulator, type RunningSimulator } from './simulator';

let sim: RunningSimulator | undefined;
let dir: string | undefined;
afterEach(async () => {
  await sim?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('announces each listening gateway in the ports directory and removes the link on stop', async () => {
  dir = await mkdtemp(join(tmpdir(), 'fieldline-ports-test-'));
  sim = await startSimulator({ count: 2, baud: 0, logger: silentLogger, portsDir: dir, delays: NO_DELAYS });
  for (const g of sim.gateways) expect(await readlink(join(dir, g.serial))).toBe(g.port);
  await sim.stop();
  for (const g of sim.gateways) await expect(lstat(join(dir, g.serial))).rejects.toThrow();
});
