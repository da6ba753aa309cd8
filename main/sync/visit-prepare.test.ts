/** prepareVisit's bounds and its checks of what the registry lists, with a registry stand-in (the CLI test uses a real one). */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeviceReply, DevicesPage, DeviceSummary } from '../contract/registry/api';
import { isFieldlineError } from '../errors';
import { prepareVisit, type PrepareVisitOptions } from './visit-prepare';
import { readVisitManifest, visitDir } from './visit-store';

const summary = (serial: string, site = 'berlin-1'): DeviceSummary => ({
  serial,
  site,
  firstSeen: '2026-11-01T00:00:00.000Z',
  lastSeen: '2026-11-01T00:00:00.000Z',
  latestRun: { id: '00000000-0000-4000-8000-000000000000', outcome: 'passed', startedAt: '2026-11-01T00:00:00.000Z', profile: { name: 'p', version: '1', sha256: 'ab'.repeat(32) } },
});
const reply = (serial: string): DeviceReply => ({ serial, firstSeen: '', lastSeen: '', site: 'berlin-1', runs: [], serviceRecords: [] });

describe('prepareVisit', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fieldline-visit-prepare-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  function options(pages: (cursor: string | undefined) => DevicesPage, scope: PrepareVisitOptions['scope'] = { site: 'berlin-1' }): PrepareVisitOptions {
    return {
      dataDir,
      scope,
      trusted: [],
      client: {
        url: 'http://registry.test',
        devicesAtSite: (_site, cursor) => Promise.resolve(pages(cursor)),
        device: (serial) => Promise.resolve(serial.startsWith('GW-') ? reply(serial) : undefined),
        revocations: () => Promise.resolve({ lists: [] }),
      },
      releases: {
        feed: () => Promise.resolve({ releases: [], nextCursor: '0' }),
        artifact: () => Promise.reject(new Error('not asked')),
        heldArtifact: () => Promise.resolve(undefined),
      },
    };
  }

  const failure = async (run: Promise<unknown>): Promise<{ code: string; message: string }> => {
    try {
      await run;
    } catch (err) {
      if (isFieldlineError(err)) return { code: err.code, message: err.message };
      throw err;
    }
    throw new Error('it did not fail');
  };

  it('follows the site’s pages to the end', async () => {
    const pages: Record<string, DevicesPage> = {
      start: { devices: [summary('GW-1'), summary('GW-2')], nextCursor: 'b' },
      b: { devices: [summary('GW-3')] },
    };
    const manifest = await prepareVisit(options((cursor) => pages[cursor ?? 'start']!));
    expect(manifest.devices.map((d) => d.serial)).toEqual(['GW-1', 'GW-2', 'GW-3']);
    expect(readVisitManifest(dataDir)).toEqual(manifest);
  });

  it('refuses a site of more than 10,000 devices, and a page that lists a device of another site', async () => {
    let n = 0;
    const endless = (): DevicesPage => ({ devices: Array.from({ length: 1000 }, () => summary(`GW-${n++}`)), nextCursor: String(n) });
    expect(await failure(prepareVisit(options(endless)))).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/more than 10000 devices/) });
    const foreign = (): DevicesPage => ({ devices: [summary('GW-1', 'munich-2')] });
    expect(await failure(prepareVisit(options(foreign)))).toMatchObject({ code: 'REGISTRY_BAD_REPLY', message: expect.stringMatching(/listed GW-1 at "munich-2"/) });
    // Nothing was left behind by either.
    expect((await readdir(visitDir(dataDir))).filter((n) => n !== '.lock')).toEqual([]);
  });

  it('says when the registry has none of the serials', async () => {
    const none = options(() => ({ devices: [] }), { devices: ['X-1', 'X-2'] });
    expect(await failure(prepareVisit(none))).toMatchObject({ code: 'VISIT_NO_DEVICES', message: expect.stringMatching(/none of the 2 device\(s\).*X-1, X-2/) });
    expect(await failure(prepareVisit(options(() => ({ devices: [] }))))).toMatchObject({ code: 'VISIT_NO_DEVICES', message: 'no devices at site "berlin-1" in http://registry.test' });
  });

  it('says another prepare is at work while a live process holds the kit folder\'s lock, and leaves its lock alone', { timeout: 30_000 }, async () => {
    const lock = join(visitDir(dataDir), '.lock');
    await mkdir(visitDir(dataDir), { recursive: true });
    // This test's own pid: a live owner, so the lock is waited for (10 s) and never taken over.
    await writeFile(lock, String(process.pid));
    expect(await failure(prepareVisit(options(() => ({ devices: [summary('GW-1')] }))))).toMatchObject({
      code: 'STORE_BUSY',
      message: `another \`fieldline visit prepare\` is writing the visit kit (${lock}); try again when it has finished`,
    });
    expect(await readdir(visitDir(dataDir))).toEqual(['.lock']);
  });
});
