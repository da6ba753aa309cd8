/**
 * Devices by site and field-service records over real HTTP, on each engine (issue #16): a device's site is the one its
 * newest provisioning record names (a service record never moves it, a run received late but started earlier does
 * not either), the site's devices page by cursor with their newest provisioning run, the device reply keeps service
 * records apart from runs, the yields count provisioning runs only, and the edge refuses a bad site or service section.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceReplySchema, devicesPageSchema, errorReplySchema, type BatchUploadReply, type DeviceSummary } from '../main/contract/registry/api';
import { RECORD_BOUNDS } from '../main/contract/registry/record';
import { yieldReplySchema } from '../main/contract/registry/fleet';
import type { RunRecord, ServiceSection } from '../main/contract/run-record';
import { registryRunRecord, testEngines, type EngineTestRegistry } from '../main/testing/registry';

const service = (extra: Partial<ServiceSection> = {}): ServiceSection => ({ action: 'diagnose', operator: 'Ana Técnica', before: { firmware: '1.0.0' }, after: { firmware: '1.0.0' }, ...extra });

function run(serial: string, startedAt: string, extra: Partial<RunRecord> = {}, outcome: RunRecord['outcome'] = 'passed'): RunRecord {
  return { ...registryRunRecord({ serial, startedAt, outcome }), ...extra };
}

/** `levels` nested objects, built without recursion. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < levels; i += 1) value = { a: value };
  return value;
}

for (const engine of testEngines()) {
  describe.skipIf(engine.unavailable !== undefined)(`on ${engine.title}`, () => {
    let reg: EngineTestRegistry;

    beforeAll(async () => {
      reg = await engine.start();
    });
    afterAll(async () => {
      await reg?.close();
    });

    const get = (path: string): Promise<Response> => fetch(reg.url + path, { headers: { authorization: `Bearer ${reg.token}` } });

    async function upload(records: RunRecord[]): Promise<BatchUploadReply> {
      const res = await fetch(`${reg.url}/v1/records:batch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${reg.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ records }),
      });
      expect(res.status).toBe(200);
      return (await res.json()) as BatchUploadReply;
    }

    async function site(name: string, limit = 100): Promise<DeviceSummary[]> {
      const devices: DeviceSummary[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 100; pages += 1) {
        const res = await get(`/v1/devices?site=${encodeURIComponent(name)}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        const page = devicesPageSchema.parse(await res.json());
        expect(page.devices.length).toBeLessThanOrEqual(limit);
        devices.push(...page.devices);
        if (page.nextCursor === undefined) return devices;
        cursor = page.nextCursor;
      }
      throw new Error('more than 100 pages');
    }

    async function errorOf(res: Response): Promise<{ status: number; code: string; message: string }> {
      return { status: res.status, ...errorReplySchema.parse(await res.json()).error };
    }

    it('groups devices by the site of their newest provisioning record, pages them by serial, and names their newest run', async () => {
      const moved = run('GW-S-MOVED', '2026-12-01T08:00:00.000Z', { site: 'munich-2' });
      const serviced = run('GW-S-SERVICED', '2026-12-01T08:00:00.000Z', { site: 'berlin-1' });
      const late = run('GW-S-LATE', '2026-12-01T09:00:00.000Z', { site: 'berlin-1' });
      const records = [
        run('GW-S-A', '2026-12-01T08:00:00.000Z', { site: 'berlin-1' }),
        run('GW-S-B', '2026-12-01T08:00:00.000Z', { site: 'berlin-1' }, 'failed'),
        run('GW-S-C', '2026-12-01T08:00:00.000Z', { site: 'munich-2' }),
        run('GW-S-NOSITE', '2026-12-01T08:00:00.000Z'),
        run('GW-S-MOVED', '2026-11-30T08:00:00.000Z', { site: 'berlin-1' }),
        moved,
        serviced,
        // A later service record naming another site: not a provisioning record, so the device stays.
        run('GW-S-SERVICED', '2026-12-02T08:00:00.000Z', { site: 'munich-2', service: service() }),
        late,
      ];
      expect((await upload(records)).accepted).toHaveLength(records.length);
      // Received after, started before: the newer run's site holds.
      expect((await upload([run('GW-S-LATE', '2026-12-01T07:00:00.000Z', { site: 'munich-2' })])).accepted).toHaveLength(1);

      const berlin = await site('berlin-1', 2);
      expect(berlin.map((d) => d.serial)).toEqual(['GW-S-A', 'GW-S-B', 'GW-S-LATE', 'GW-S-SERVICED']);
      expect((await site('munich-2')).map((d) => d.serial)).toEqual(['GW-S-C', 'GW-S-MOVED']);
      expect(await site('nowhere')).toEqual([]);

      const servicedRow = berlin.find((d) => d.serial === 'GW-S-SERVICED');
      expect(servicedRow).toEqual({
        serial: 'GW-S-SERVICED',
        site: 'berlin-1',
        firstSeen: serviced.startedAt,
        lastSeen: '2026-12-02T08:00:42.500Z',
        // The newest provisioning run, not the later service record.
        latestRun: { id: serviced.id, outcome: 'passed', startedAt: serviced.startedAt, profile: { name: serviced.profile.name, version: serviced.profile.version, sha256: serviced.profile.sha256 } },
      });
      expect(berlin.find((d) => d.serial === 'GW-S-LATE')?.latestRun.id).toBe(late.id);
      expect(berlin.find((d) => d.serial === 'GW-S-B')?.latestRun.outcome).toBe('failed');
    });

    it("answers a device with its site, its provisioning runs, and its service records apart, each oldest first", async () => {
      const provisioned = run('GW-S-HIST', '2026-12-03T08:00:00.000Z', { site: 'berlin-1' });
      const diagnose = run('GW-S-HIST', '2026-12-04T08:00:00.000Z', { site: 'berlin-1', service: service({ basedOnRunId: provisioned.id, basedOnSource: 'kit' }) });
      const remediate = run('GW-S-HIST', '2026-12-05T08:00:00.000Z', { service: service({ action: 'remediate', before: { 'app/interval': '60' }, after: { 'app/interval': '30' } }) });
      expect((await upload([remediate, provisioned, diagnose])).accepted).toHaveLength(3);
      const device = deviceReplySchema.parse(await (await get('/v1/devices/GW-S-HIST')).json());
      expect(device.site).toBe('berlin-1');
      expect(device.runs.map((r) => r.id)).toEqual([provisioned.id]);
      expect(device.serviceRecords.map((r) => r.id)).toEqual([diagnose.id, remediate.id]);
      expect(device.serviceRecords[1]?.service).toEqual(remediate.service);
      // A device no record gave a site has none.
      expect(deviceReplySchema.parse(await (await get('/v1/devices/GW-S-NOSITE')).json()).site).toBeUndefined();
    });

    it('counts provisioning runs only in the yields', async () => {
      const at = '2027-01-05T08:00:00.000Z';
      const records = [
        run('GW-S-Y1', at, { site: 'yield-site' }),
        run('GW-S-Y2', at, {}, 'failed'),
        run('GW-S-Y1', '2027-01-05T09:00:00.000Z', { service: service({ action: 'remediate' }) }),
        run('GW-S-Y2', '2027-01-05T09:00:00.000Z', { service: service() }, 'failed'),
      ];
      expect((await upload(records)).accepted).toHaveLength(4);
      const res = await get('/v1/yield?from=2027-01-05T00:00:00.000Z&to=2027-01-06T00:00:00.000Z');
      expect(res.status).toBe(200);
      const figures = yieldReplySchema.parse(await res.json());
      expect(figures.byStation).toEqual([{ station: 'test-station', passed: 1, failed: 1, total: 2 }]);
      expect(figures.byProfile.map((p) => p.total)).toEqual([2]);
    });

    it('refuses a site query that no record could match, a limit out of range, and a cursor it did not give out', async () => {
      const cases: Array<[string, RegExp]> = [
        ['/v1/devices', /site/],
        ['/v1/devices?site=', /site/],
        ['/v1/devices?site=%20%20', /site/],
        [`/v1/devices?site=berlin%0A1`, /site/],
        [`/v1/devices?site=${'s'.repeat(RECORD_BOUNDS.siteChars + 1)}`, /site/],
        ['/v1/devices?site=berlin-1&limit=1001', /limit/],
        ['/v1/devices?site=berlin-1&limit=0', /limit/],
        ['/v1/devices?site=berlin-1&cursor=not!a!cursor', /cursor/],
        [`/v1/devices?site=berlin-1&cursor=${Buffer.from('a\u0000b').toString('base64url')}`, /cursor/],
      ];
      for (const [path, message] of cases) {
        const error = await errorOf(await get(path));
        expect(error, path).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
        expect(error.message, path).toMatch(message);
      }
      expect((await get(`/v1/devices?site=${'s'.repeat(RECORD_BOUNDS.siteChars)}`)).status).toBe(200);
    });

    it('refuses records with a bad site or a service section out of bounds, and stores the rest of the batch', async () => {
      const good = run('GW-S-EDGE', '2026-12-06T08:00:00.000Z', { site: 'ok-site', service: service({ before: nested(RECORD_BOUNDS.jsonDepth) }) });
      const bad: Array<[RunRecord, RegExp]> = [
        [run('GW-S-EDGE', '2026-12-06T08:00:00.000Z', { site: 'berlin\u00071' }), /site/],
        [run('GW-S-EDGE', '2026-12-06T08:00:00.000Z', { site: ' ' }), /site/],
        [run('GW-S-EDGE', '2026-12-06T08:00:00.000Z', { site: 's'.repeat(RECORD_BOUNDS.siteChars + 1) }), /site/],
        [run('GW-S-EDGE', '2026-12-06T08:00:00.000Z', { service: service({ before: nested(RECORD_BOUNDS.jsonDepth + 1) }) }), /service\.before.*deeper than 32/],
        [run('GW-S-EDGE', '2026-12-06T08:00:00.000Z', { service: service({ after: { s: 'x'.repeat(RECORD_BOUNDS.stringChars + 1) } }) }), /service\.after/],
        [run('GW-S-EDGE', '2026-12-06T08:00:00.000Z', { service: service({ operator: 'o'.repeat(RECORD_BOUNDS.operatorChars + 1) }) }), /operator/],
        [run('GW-S-EDGE', '2026-12-06T08:00:00.000Z', { service: service({ operator: 'Ana\u001b[31m' }) }), /operator/],
        [run('GW-S-EDGE', '2026-12-06T08:00:00.000Z', { service: service({ basedOnRunId: 'NOT-A-UUID' }) }), /basedOnRunId/],
      ];
      const reply = await upload([good, ...bad.map(([r]) => r)]);
      expect(reply.accepted).toEqual([good.id]);
      expect(reply.rejected.map((r) => r.id)).toEqual(bad.map(([r]) => r.id));
      reply.rejected.forEach((r, i) => {
        expect(r.code).toBe('RECORD_INVALID');
        expect(r.reason).toMatch(bad[i]![1]);
      });
    });
  });
}
