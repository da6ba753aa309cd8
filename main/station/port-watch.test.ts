/** Where each watched port is plugged in: the USB hub port path, or a virtual gateway's place in the ports directory. */
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPortWatch, type WatchedPort } from './port-watch';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('createPortWatch locations', () => {
  it('gives a USB port its hub port path and a virtual gateway `virtual/<serial>`', async () => {
    const portsDir = await mkdtemp(join(tmpdir(), 'fl-ports-'));
    dirs.push(portsDir);
    await symlink('/dev/null', join(portsDir, 'F1E1D00000000001'));
    const watch = createPortWatch({
      portsDir,
      pollMs: 0,
      listPorts: async () => [
        { path: '/dev/ttyACM0', vid: '2fe3', pid: '0100', location: '1-1.4' },
        { path: '/dev/ttyACM1', vid: '2fe3', pid: '0100' },
      ],
      isPortPath: async () => true,
    });
    const seen: WatchedPort[] = [];
    watch.on('attached', (p) => seen.push(p));
    await watch.start();
    watch.stop();
    const byPath = Object.fromEntries(seen.map((p) => [p.path, p.location]));
    expect(byPath).toEqual({ '/dev/ttyACM0': '1-1.4', '/dev/ttyACM1': undefined, [join(portsDir, 'F1E1D00000000001')]: 'virtual/F1E1D00000000001' });
  });
});
