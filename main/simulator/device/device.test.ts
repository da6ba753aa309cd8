import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isFieldlineError } from '../../errors';
import { Op } from '../../smp/header';
import { createVirtualDevice } from './device';
import { makeMcubootImage, parseMcubootImage } from '../../device/mcuboot-image';
import { hex, imageState, tempDir, testDevice, uploadImage } from './test-support';

describe('virtual device', () => {
  it('registers every group, and answers ENOTSUP for a group it does not have', async () => {
    const t = await testDevice();
    expect(t.device.handlers.map((h) => h.group)).toEqual([0, 1, 2, 3, 8, 9, 10, 64]);
    expect(await t.call(63, 0, 'write')).toEqual({ kind: 'smp-error', name: 'ENOTSUP' });
  });

  it('keeps images, flags and files when re-created from the same directory', async () => {
    const t = await testDevice({ firmwareVersion: '1.0.0' });
    const v2 = makeMcubootImage({ version: '2.1.0', size: 5000 });
    await uploadImage(t, v2);
    await t.ok(1, 0, 'write', { hash: parseMcubootImage(v2).hash as Uint8Array });
    await t.ok(8, 0, 'write', { name: '/lfs/config/site.json', off: 0, len: 2, data: new TextEncoder().encode('{}') });
    const before = await imageState(t);

    // A restart of the simulator: a new process would do exactly this, with whatever config it was given.
    const again = await testDevice({ firmwareVersion: '9.9.9' }, t.dir);
    expect(await imageState(again)).toEqual(before);
    expect(await again.device.boot()).toBe('test');
    expect((await imageState(again))[0]).toMatchObject({ version: '2.1.0', confirmed: false });
    const third = await testDevice({}, t.dir);
    expect((await imageState(third))[0]).toMatchObject({ version: '2.1.0', confirmed: false });
    expect(await third.ok(8, 1, 'read', { name: '/lfs/config/site.json' })).toEqual({ len: 2 });
    expect((await readdir(t.dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('rebuilds only what is missing, and names a corrupt state file', async () => {
    const t = await testDevice();
    const v2 = makeMcubootImage({ version: '2.0.0', size: 3000 });
    await uploadImage(t, v2);
    await t.ok(1, 0, 'write', { hash: parseMcubootImage(v2).hash as Uint8Array, confirm: true });
    await t.device.boot();
    await rm(join(t.dir, 'state.json'));
    const again = await testDevice({}, t.dir);
    expect((await imageState(again))[0]).toMatchObject({ version: '2.0.0', confirmed: true });
    await writeFile(join(t.dir, 'state.json'), '{"format": 1, "pending": "maybe"}');
    await expect(testDevice({}, t.dir)).rejects.toSatisfy((e: unknown) => isFieldlineError(e, 'SIMULATOR_FAILED'));
  });

  it('gives two devices with the same firmware the same image hash', async () => {
    const a = await testDevice({ serial: '01' });
    const b = await testDevice({ serial: '02' });
    expect(hex(a.device.state.slot(0)?.image?.hash)).toBe(hex(b.device.state.slot(0)?.image?.hash));
  });

  it('zeroes the counters in place at boot, so the runtime keeps its reference', async () => {
    const t = await testDevice();
    const counters = t.device.stats;
    counters.smp.rx_frames += 5;
    expect(await t.ok(2, 0, 'read', { name: 'smp' })).toMatchObject({ name: 'smp', fields: { rx_frames: 5 } });
    await t.device.boot();
    expect(t.device.stats).toBe(counters);
    expect(counters.smp.rx_frames).toBe(0);
    expect(await t.ok(2, 1, 'read')).toEqual({ stat_list: ['smp', 'flash', 'net'] });
    expect(await t.call(2, 0, 'read', { name: 'bogus' })).toEqual({ kind: 'group-error', name: 'INVALID_GROUP' });
  });

  it('enumerates its groups like Zephyr enum_mgmt', async () => {
    const t = await testDevice();
    expect(await t.ok(10, 0, 'read')).toEqual({ count: 8 });
    expect(await t.ok(10, 1, 'read')).toEqual({ groups: [0, 1, 2, 3, 8, 9, 10, 64] });
    expect(await t.ok(10, 2, 'read', { index: 1 })).toEqual({ group: 1 });
    expect(await t.ok(10, 2, 'read', { index: 7 })).toEqual({ group: 64, end: true });
    expect(await t.call(10, 2, 'read', { index: 8 })).toEqual({ kind: 'group-error', name: 'INDEX_TOO_LARGE' });
    expect(await t.ok(10, 3, 'read', { groups: [1, 64, 99] })).toEqual({
      groups: [
        { group: 1, name: 'img mgmt', handlers: 7 },
        { group: 64, name: 'fieldline identity', handlers: 5 },
      ],
    });
  });

  it('handles one request at a time, as Zephyr’s SMP work queue does', async () => {
    const dir = await tempDir();
    const device = await createVirtualDevice({ serial: 'AA', delays: { flashWritePerKiB: 5, erase: 0, keyGeneration: 0, reboot: 0 } }, dir);
    const image = makeMcubootImage({ version: '3.0.0', size: 4096 });
    const effects = { reboot: () => undefined };
    const send = (body: Record<string, unknown>) =>
      device.dispatch({ op: Op.Write, version: 1, group: 1, command: 1, body: body as never }, effects);
    const order: number[] = [];
    const replies = await Promise.all(
      [0, 1, 2, 3].map((i) =>
        send(i === 0 ? { off: 0, len: 4096, data: image.subarray(0, 1024) } : { off: i * 1024, data: image.subarray(i * 1024, (i + 1) * 1024) }).then(
          (r) => (order.push(i), r),
        ),
      ),
    );
    expect(order).toEqual([0, 1, 2, 3]);
    expect(replies.map((r) => (r.kind === 'ok' ? r.body.off : r.kind))).toEqual([1024, 2048, 3072, 4096]);
  });

  it('refuses a config a device could not have', async () => {
    const dir = await tempDir();
    for (const bad of [{ serial: 'XYZ' }, { serial: '0' }, { serial: '00', bufSize: 10 }, { serial: '00', failDiagnostics: ['fan'] }]) {
      await expect(createVirtualDevice(bad, dir)).rejects.toSatisfy((e: unknown) => isFieldlineError(e, 'INVALID_ARGUMENT'));
    }
  });
});
