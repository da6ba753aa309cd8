/**
 * The registry's edge against what issue #11 sent it (over real HTTP on loopback): evidence nested 2,000 deep, the same
 * run id in two spellings, dates that are not dates, serials the look-up cannot take, another station's name, and a
 * record that differs under a stored id. The rule behind every case: the registry answers `duplicate` only for a
 * record it holds byte for byte, and what it holds is retrievable with GET /v1/devices/{serial}.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryRunRecord, testEngines, type EngineTestRegistry } from '../main/testing/registry';
import type { RunRecord } from '../main/contract/run-record';

const SQLITE_TRIGGERS = `
  CREATE TRIGGER skip_refused BEFORE INSERT ON records WHEN NEW.serial = 'GW-SKIPPED' BEGIN SELECT RAISE(IGNORE); END;
  CREATE TRIGGER abort_refused BEFORE INSERT ON records WHEN NEW.serial = 'GW-ABORTED' BEGIN SELECT RAISE(ABORT, 'refused by a rule'); END;`;
const POSTGRES_TRIGGERS = `
  CREATE FUNCTION refuse_rows() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF NEW.serial = 'GW-SKIPPED' THEN RETURN NULL; END IF;
    IF NEW.serial = 'GW-ABORTED' THEN RAISE EXCEPTION 'refused by a rule' USING ERRCODE = 'check_violation'; END IF;
    RETURN NEW;
  END $$;
  CREATE TRIGGER refuse BEFORE INSERT ON records FOR EACH ROW EXECUTE FUNCTION refuse_rows();`;

// The whole file runs against each engine; PostgreSQL's block says why when it is skipped.
for (const engine of testEngines()) {
  describe.skipIf(engine.unavailable !== undefined)(`on ${engine.title}`, () => {
    let reg: EngineTestRegistry;

    beforeAll(async () => {
      reg = await engine.start();
    });
    afterAll(async () => {
      await reg?.close();
    });

    interface Rejection {
      id: string;
      reason: string;
      code?: string;
    }
    interface Reply {
      accepted: string[];
      duplicate: string[];
      rejected: Rejection[];
    }
    interface StoredRun extends RunRecord {
      receivedAt: string;
      receivedFrom: string;
    }

    async function upload(records: unknown[], token = reg.token): Promise<Reply> {
      const res = await fetch(`${reg.url}/v1/records:batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ records }),
      });
      expect(res.status).toBe(200);
      return (await res.json()) as Reply;
    }

    function put(id: string, record: unknown, token = reg.token): Promise<Response> {
      return fetch(`${reg.url}/v1/records/${id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(record),
      });
    }

    function lookUp(serial: string): Promise<Response> {
      return fetch(`${reg.url}/v1/devices/${encodeURIComponent(serial)}`, { headers: { authorization: `Bearer ${reg.token}` } });
    }

    async function runsOf(serial: string): Promise<StoredRun[]> {
      const res = await lookUp(serial);
      if (res.status === 404) return [];
      expect(res.status).toBe(200);
      return ((await res.json()) as { runs: StoredRun[] }).runs;
    }

    async function errorOf(res: Response): Promise<{ status: number; code: string; message: string }> {
      const body = (await res.json()) as { error: { code: string; message: string } };
      return { status: res.status, code: body.error.code, message: body.error.message };
    }

    /** `{"a":{"a":…"leaf"…}}`, `levels` objects deep. */
    function nested(levels: number): unknown {
      let value: unknown = 'leaf';
      for (let i = 0; i < levels; i += 1) value = { a: value };
      return value;
    }

    function withEvidence(serial: string, evidence: Record<string, unknown>): RunRecord {
      const record = registryRunRecord({ serial });
      record.steps[0]!.evidence = evidence;
      return record;
    }

    /** The record as the registry stores it: the station is the one of the token that sent it. */
    const stamped = (record: RunRecord, station = 'test-station'): RunRecord => ({ ...record, station: { name: station } });

    describe('evidence nested 2,000 deep (issue #11, item 1)', () => {
      it('is rejected naming the field, on every try; nothing is stored and nothing is called duplicate', async () => {
        const record = withEvidence('GW-DEEP-2000', nested(2000) as Record<string, unknown>);
        for (let attempt = 0; attempt < 2; attempt += 1) {
          expect(await upload([record])).toEqual({
            accepted: [],
            duplicate: [],
            rejected: [{ id: record.id, code: 'RECORD_INVALID', reason: expect.stringMatching(/^steps\.0\.evidence: nested deeper than 32 levels/) }],
          });
        }
        expect(await errorOf(await put(record.id, record))).toMatchObject({ status: 400, code: 'RECORD_INVALID', message: expect.stringContaining('steps.0.evidence') });
        expect((await lookUp('GW-DEEP-2000')).status).toBe(404);
      });

      it('takes evidence exactly 32 levels deep, and diagnostic values under the same bound', async () => {
        const ok = withEvidence('GW-DEEP-32', nested(32) as Record<string, unknown>);
        const tooDeep = registryRunRecord({ serial: 'GW-DEEP-VALUE' });
        tooDeep.diagnostics[0]!.value = nested(33);
        expect(await upload([ok, tooDeep])).toEqual({
          accepted: [ok.id],
          duplicate: [],
          rejected: [{ id: tooDeep.id, code: 'RECORD_INVALID', reason: expect.stringMatching(/^diagnostics\.0\.value: nested deeper than 32 levels/) }],
        });
      });
    });

    describe('a duplicate is a record the registry holds, byte for byte', () => {
      it('after any "duplicate" answer, GET /v1/devices/{serial} returns that very record', async () => {
        const huge = registryRunRecord({ serial: 'GW-DUP-NUM' });
        huge.steps[1]!.evidence = { big: 2 ** 64, max: Number.MAX_VALUE, small: Number.MIN_VALUE, negative: -0 };
        const batch: unknown[] = [
          registryRunRecord({ serial: 'GW-DUP-1' }),
          withEvidence('GW-DUP-DEEP-31', nested(31) as Record<string, unknown>),
          withEvidence('GW-DUP-DEEP-33', nested(33) as Record<string, unknown>),
          withEvidence('GW-DUP-DEEP-1500', nested(1500) as Record<string, unknown>),
          registryRunRecord({ serial: 'GW/ÄÖ ✓ dup' }),
          huge,
          { ...registryRunRecord({ serial: 'GW-DUP-DATE' }), startedAt: 'not a date' },
          { ...registryRunRecord({ serial: 'GW-DUP-RUNNING' }), outcome: 'running', endedAt: '' },
        ];
        await upload(batch);
        const again = await upload(batch);
        expect(again.accepted).toEqual([]);
        expect(again.duplicate.length + again.rejected.length).toBe(batch.length);
        for (const id of again.duplicate) {
          const sent = batch.find((r) => (r as RunRecord).id === id) as RunRecord;
          const runs = await runsOf(sent.device.serial);
          const held = runs.find((r) => r.id === id);
          expect(held, `duplicate ${sent.device.serial} is retrievable`).toBeDefined();
          const { receivedAt: _at, receivedFrom: _from, ...record } = held!;
          expect(record).toEqual(JSON.parse(JSON.stringify(stamped(sent))));
        }
        for (const r of again.rejected) expect((await runsOf((batch.find((b) => (b as RunRecord).id === r.id) as RunRecord).device.serial)).map((x) => x.id)).not.toContain(r.id);
      });

      it('answers a record that differs under a stored id as a conflict, per record, and keeps the stored one', async () => {
        const first = registryRunRecord({ serial: 'GW-CONFLICT', outcome: 'passed' });
        const other = registryRunRecord({ serial: 'GW-CONFLICT-OK' });
        expect((await upload([first])).accepted).toEqual([first.id]);
        const changed = { ...first, outcome: 'failed' as const };
        expect(await upload([changed, other])).toEqual({
          accepted: [other.id],
          duplicate: [],
          rejected: [{ id: first.id, code: 'RECORD_CONFLICT', reason: expect.stringContaining('outcome') }],
        });
        expect((await runsOf('GW-CONFLICT')).map((r) => r.outcome)).toEqual(['passed']);
        expect(await upload([first])).toEqual({ accepted: [], duplicate: [first.id], rejected: [] });
      });

      it('takes one record with PUT /v1/records/{id}: 201 new, 200 the same again, 409 another under its id, 400 invalid', async () => {
        const record = registryRunRecord({ serial: 'GW-PUT' });
        const created = await put(record.id, record);
        expect(created.status).toBe(201);
        expect(await created.json()).toEqual({ id: record.id, result: 'accepted' });
        const same = await put(record.id, record);
        expect(same.status).toBe(200);
        expect(await same.json()).toEqual({ id: record.id, result: 'duplicate' });
        expect(await errorOf(await put(record.id, { ...record, outcome: 'cancelled' }))).toMatchObject({ status: 409, code: 'RECORD_CONFLICT' });
        const other = registryRunRecord({ serial: 'GW-PUT' });
        expect(await errorOf(await put(record.id, other))).toMatchObject({ status: 400, code: 'RECORD_INVALID', message: expect.stringContaining('id') });
        expect(await errorOf(await put('not-a-uuid', record))).toMatchObject({ status: 400 });
        expect((await runsOf('GW-PUT')).map((r) => r.outcome)).toEqual([record.outcome]);
      });

      it('never calls duplicate a record the database did not store (a refused insert is an error)', async () => {
        // A trigger that silently skips the insert, as INSERT OR IGNORE did for a failed CHECK (json_valid), and one
        // that refuses a row's values (on PostgreSQL as a check violation, what a CHECK constraint raises).
        await reg.exec(engine.engine === 'sqlite' ? SQLITE_TRIGGERS : POSTGRES_TRIGGERS);
        try {
          const skipped = registryRunRecord({ serial: 'GW-SKIPPED' });
          const res = await fetch(`${reg.url}/v1/records:batch`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${reg.token}` },
            body: JSON.stringify({ records: [skipped] }),
          });
          expect(await errorOf(res)).toMatchObject({ status: 500, code: 'INTERNAL' });
          const aborted = registryRunRecord({ serial: 'GW-ABORTED' });
          const fine = registryRunRecord({ serial: 'GW-NEXT-TO-ABORTED' });
          expect(await upload([aborted, fine])).toEqual({
            accepted: [fine.id],
            duplicate: [],
            rejected: [{ id: aborted.id, code: 'RECORD_INVALID', reason: expect.stringContaining('refused by a rule') }],
          });
          expect(await runsOf('GW-SKIPPED')).toEqual([]);
          expect(await runsOf('GW-ABORTED')).toEqual([]);
        } finally {
          await reg.exec(engine.engine === 'sqlite' ? 'DROP TRIGGER skip_refused; DROP TRIGGER abort_refused' : 'DROP TRIGGER refuse ON records; DROP FUNCTION refuse_rows');
        }
      });
    });

    describe('run ids are lower-case UUIDs', () => {
      it('rejects an upper-case id, so one run can never be stored under two spellings', async () => {
        const lower = registryRunRecord({ serial: 'GW-CASE' });
        const upper = { ...lower, id: lower.id.toUpperCase() };
        expect(await upload([upper])).toEqual({
          accepted: [],
          duplicate: [],
          rejected: [{ id: upper.id, code: 'RECORD_INVALID', reason: expect.stringMatching(/^id: .*lower-case/) }],
        });
        expect((await upload([lower])).accepted).toEqual([lower.id]);
        expect((await upload([upper])).rejected).toHaveLength(1);
        expect((await upload([{ ...registryRunRecord({ serial: 'GW-CASE' }), previousRunId: lower.id.toUpperCase() }])).rejected[0]?.reason).toMatch(/^previousRunId: /);
        expect((await runsOf('GW-CASE')).map((r) => r.id)).toEqual([lower.id]);
      });
    });

    describe('dates', () => {
      it('rejects times that are not ISO-8601 or not on the calendar, naming the field', async () => {
        const base = (): RunRecord => registryRunRecord({ serial: 'GW-DATES' });
        const cases: Array<[string, (r: RunRecord) => void]> = [
          ['startedAt', (r) => (r.startedAt = 'not a date')],
          ['startedAt', (r) => (r.startedAt = '2026-02-30T10:00:00.000Z')],
          ['startedAt', (r) => (r.startedAt = '2026-11-26 05:40:00')],
          ['startedAt', (r) => (r.startedAt = '')],
          ['endedAt', (r) => (r.endedAt = 'yesterday')],
          ['steps.0.startedAt', (r) => (r.steps[0]!.startedAt = 'soon')],
          ['certificate.notAfter', (r) => (r.certificate!.notAfter = '2027-13-01T00:00:00Z')],
          ['rollback.endedAt', (r) => (r.rollback!.endedAt = '25:00')],
        ];
        const records = cases.map(([, change]) => {
          const r = base();
          change(r);
          return r;
        });
        const reply = await upload(records);
        expect(reply.accepted).toEqual([]);
        expect(reply.rejected.map((r) => r.reason.split(':')[0])).toEqual(cases.map(([field]) => field));
        expect(await runsOf('GW-DATES')).toEqual([]);
      });

      it('takes a running record (endedAt empty) and a time with an offset', async () => {
        const running = { ...registryRunRecord({ serial: 'GW-DATES-OK' }), outcome: 'running' as const, endedAt: '' };
        const offset = { ...registryRunRecord({ serial: 'GW-DATES-OK' }), startedAt: '2026-11-26T07:40:00+02:00' };
        expect((await upload([running, offset])).accepted).toEqual([running.id, offset.id]);
      });
    });

    describe('device serials', () => {
      it('takes serials up to 128 characters, any script, and finds each with GET /v1/devices/{serial}', async () => {
        for (const serial of ['S'.repeat(128), 'Ä'.repeat(128), '✓'.repeat(128), '😀'.repeat(64), 'GW/1 ?#%']) {
          const record = registryRunRecord({ serial });
          expect((await upload([record])).accepted, serial).toEqual([record.id]);
          expect((await runsOf(serial)).map((r) => r.id), serial).toEqual([record.id]);
        }
      });

      it('rejects a serial the look-up could not find: too long, blank, or with control characters', async () => {
        const bad = ['S'.repeat(129), 'GW\u0000NUL', 'GW\nLF', '   ', ''];
        const reply = await upload(bad.map((serial) => registryRunRecord({ serial })));
        expect(reply.accepted).toEqual([]);
        expect(reply.rejected.map((r) => r.reason.split(':')[0])).toEqual(bad.map(() => 'device.serial'));
      });

      it('answers a look-up it cannot serve in the API error format: 400 for a serial no record can have, 414 beyond', async () => {
        for (const serial of ['S'.repeat(129), 'S'.repeat(200), 'GW\u0000NUL']) {
          expect(await errorOf(await lookUp(serial)), serial.slice(0, 10)).toMatchObject({ status: 400, code: 'BAD_REQUEST', message: expect.stringContaining('serial') });
        }
        expect(await errorOf(await lookUp('S'.repeat(5000)))).toMatchObject({ status: 414, code: 'URI_TOO_LONG' });
      });
    });

    describe('the station of a record is the token’s (issue #11, item 6)', () => {
      it("stores station B's upload as B's, whatever name it claims, and keeps it B's whoever sends it again", async () => {
        const tokenA = await reg.addToken('line-a');
        const tokenB = await reg.addToken('line-b');
        const forged = { ...registryRunRecord({ serial: 'GW-STAMP' }), station: { name: 'line-a' } };
        expect((await upload([forged], tokenB)).accepted).toEqual([forged.id]);
        const [held] = await runsOf('GW-STAMP');
        expect(held).toMatchObject({ station: { name: 'line-b' }, receivedFrom: 'line-b' });
        // The same run again, from either station: held already, so a duplicate — and still B's.
        expect((await upload([forged], tokenA)).duplicate).toEqual([forged.id]);
        expect((await upload([forged], tokenB)).duplicate).toEqual([forged.id]);
        // A with other content under B's id: a conflict, and the reason names the field, not B's station.
        const changed = { ...forged, outcome: 'cancelled' as const };
        expect((await upload([changed], tokenA)).rejected).toEqual([{ id: forged.id, code: 'RECORD_CONFLICT', reason: expect.stringMatching(/differs in outcome\)/) }]);
        const own = { ...registryRunRecord({ serial: 'GW-STAMP' }), station: { name: 'line-a' } };
        expect((await upload([own], tokenA)).accepted).toEqual([own.id]);
        expect((await runsOf('GW-STAMP')).map((r) => [r.id, r.station.name, r.receivedFrom])).toEqual([
          [forged.id, 'line-b', 'line-b'],
          [own.id, 'line-a', 'line-a'],
        ]);
      });
    });
  });
}
