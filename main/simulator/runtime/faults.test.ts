import { describe, expect, it } from 'vitest';
import { isFieldlineError } from '../../errors';
import { encodeCbor, type CborValue } from '../../smp/cbor';
import { Op, encodePacket } from '../../smp/header';
import { SerialPacketDecoder, encodeSerialFrames } from '../../smp/serial-framing';
import { faultHelp, FAULTS } from './fault-spec';
import { GatewayFaults, createRng, corruptFrames, parseFaultSpec, parseFaultSpecs, uploadChunk } from './faults';

function packet(group: number, command: number, body: { [key: string]: CborValue }, op = Op.Write): Uint8Array {
  return encodePacket({ op, version: 1, flags: 0, group, sequence: 1, command }, encodeCbor(body));
}

const echo = packet(0, 0, { d: 'hello' });
const upload = (off: number, len: number): Uint8Array => packet(1, 1, { off, data: new Uint8Array(len) });

function invalid(spec: string): string {
  try {
    parseFaultSpec(spec);
  } catch (err) {
    expect(isFieldlineError(err, 'INVALID_ARGUMENT')).toBe(true);
    return (err as Error).message;
  }
  throw new Error(`"${spec}" was accepted`);
}

describe('parseFaultSpec', () => {
  it('parses every documented example', () => {
    for (const def of Object.values(FAULTS)) expect(() => parseFaultSpec(def.example)).not.toThrow();
    expect(parseFaultSpec('drop-request:p=0.05')).toEqual({ kind: 'drop-request', p: 0.05 });
    expect(parseFaultSpec('delay-reply:ms=1500')).toEqual({ kind: 'delay-reply', ms: 1500, p: 1 });
    expect(parseFaultSpec('delay-reply:ms=1500,p=0.5,gw=2')).toEqual({ kind: 'delay-reply', ms: 1500, p: 0.5, gw: 2 });
    expect(parseFaultSpec('disconnect:after=3')).toEqual({ kind: 'disconnect', after: 3 });
    expect(parseFaultSpec('disconnect:after=3,back=500')).toEqual({ kind: 'disconnect', after: 3, back: 500 });
    expect(parseFaultSpec('reboot-mid-upload:at=0')).toEqual({ kind: 'reboot-mid-upload', at: 0 });
    expect(parseFaultSpec('fail-diag:name=selftest,gw=0')).toEqual({ kind: 'fail-diag', name: 'selftest', gw: 0 });
    expect(parseFaultSpec('fail-diag:name=selftest,image=1.1.0')).toEqual({ kind: 'fail-diag', name: 'selftest', image: '1.1.0' });
    expect(new GatewayFaults(parseFaultSpecs(['fail-diag:name=temp,image=1.1.0']), 0, 1).failDiagnostics).toEqual(['temp@1.1.0']);
    expect(parseFaultSpec('duplicate-reply')).toEqual({ kind: 'duplicate-reply', p: 1 });
  });

  it('rejects bad specs with a message that says why', () => {
    expect(invalid('explode')).toContain('unknown fault "explode"');
    expect(invalid('drop-reply:q=1')).toContain('no parameter "q"');
    expect(invalid('drop-reply:p=1.5')).toContain('probability');
    expect(invalid('drop-reply:p=abc')).toContain('probability');
    expect(invalid('drop-reply:p')).toContain('key=value');
    expect(invalid('drop-reply:p=0.1,p=0.2')).toContain('twice');
    expect(invalid('delay-reply:p=0.5')).toContain('needs ms=');
    expect(invalid('delay-reply:ms=-5')).toContain('whole number');
    expect(invalid('disconnect:after=0')).toContain('at least 1');
    expect(invalid('fail-diag:name=a b')).toContain('name');
    expect(invalid('drop-reply:gw=x')).toContain('gw');
    expect(() => parseFaultSpecs(['drop-reply:p=0.1', 'nope'])).toThrow(/nope/);
  });

  it('documents every fault with an example for --help', () => {
    const help = faultHelp();
    for (const [kind, def] of Object.entries(FAULTS)) {
      expect(help).toContain(`${kind}:`);
      expect(help).toContain(`--fault ${def.example}`);
    }
  });
});

describe('GatewayFaults', () => {
  const frames = encodeSerialFrames(echo);

  it('drop-request drops with probability p, deterministically per seed', () => {
    const decide = (seed: number): boolean[] => {
      const f = new GatewayFaults(parseFaultSpecs(['drop-request:p=0.3']), 0, seed);
      return Array.from({ length: 200 }, () => f.onRequest(echo).drop);
    };
    const a = decide(1);
    expect(decide(1)).toEqual(a);
    expect(decide(2)).not.toEqual(a);
    const rate = a.filter(Boolean).length / a.length;
    expect(rate).toBeGreaterThan(0.2);
    expect(rate).toBeLessThan(0.4);
  });

  it('gw=INDEX limits a fault to one gateway', () => {
    const specs = parseFaultSpecs(['drop-request:gw=1', 'fail-diag:name=temp,gw=0']);
    expect(new GatewayFaults(specs, 0, 1).onRequest(echo).drop).toBe(false);
    expect(new GatewayFaults(specs, 1, 1).onRequest(echo).drop).toBe(true);
    expect(new GatewayFaults(specs, 0, 1).failDiagnostics).toEqual(['temp']);
    expect(new GatewayFaults(specs, 1, 1).failDiagnostics).toEqual([]);
  });

  it('drop-reply sends nothing, duplicate-reply sends twice, delay-reply adds busy time', () => {
    expect(new GatewayFaults(parseFaultSpecs(['drop-reply']), 0, 1).onReply(frames).sends).toEqual([]);
    expect(new GatewayFaults(parseFaultSpecs(['duplicate-reply']), 0, 1).onReply(frames).sends).toEqual([frames, frames]);
    const delayed = new GatewayFaults(parseFaultSpecs(['delay-reply:ms=1500']), 0, 1).onReply(frames);
    expect(delayed).toEqual({ delayMs: 1500, sends: [frames] });
    expect(new GatewayFaults([], 0, 1).onReply(frames)).toEqual({ delayMs: 0, sends: [frames] });
  });

  it('corrupt-reply makes the frames fail their CRC check (not a framing error)', () => {
    const big = encodeSerialFrames(packet(0, 0, { d: 'x'.repeat(300) }));
    for (let seed = 0; seed < 200; seed++) {
      for (const original of [frames, big]) {
        const corrupted = corruptFrames(original, createRng(seed));
        expect(corrupted.map((f) => f.length)).toEqual(original.map((f) => f.length));
        const errors: string[] = [];
        const got: Uint8Array[] = [];
        const decoder = new SerialPacketDecoder({ onPacket: (p) => got.push(p), onError: (e) => errors.push(e.message) });
        for (const f of corrupted) decoder.push(f);
        expect(got).toEqual([]);
        expect(errors).toEqual(['serial packet failed its CRC-16 check']);
      }
    }
    const plan = new GatewayFaults(parseFaultSpecs(['corrupt-reply']), 0, 1).onReply(frames);
    expect(plan.sends).toHaveLength(1);
    expect(plan.sends[0]).not.toEqual(frames);
    expect(frames[0]).toEqual(encodeSerialFrames(echo)[0]); // the original is left alone
  });

  it('disconnect fires once, after N requests', () => {
    const f = new GatewayFaults(parseFaultSpecs(['disconnect:after=3,back=250']), 0, 1);
    const seen: Array<{ backMs?: number } | undefined> = [];
    for (let i = 0; i < 5; i++) {
      f.onRequest(echo);
      seen.push(f.disconnectNow());
    }
    expect(seen).toEqual([undefined, undefined, { backMs: 250 }, undefined, undefined]);
    const noBack = new GatewayFaults(parseFaultSpecs(['disconnect:after=1']), 0, 1);
    noBack.onRequest(echo);
    expect(noBack.disconnectNow()).toEqual({});
  });

  it('reboot-mid-upload fires once, on the image or FS chunk covering the offset', () => {
    const f = new GatewayFaults(parseFaultSpecs(['reboot-mid-upload:at=1000']), 0, 1);
    expect(f.onRequest(upload(0, 512)).reboot).toBe(false);
    expect(f.onRequest(echo).reboot).toBe(false);
    expect(f.onRequest(upload(512, 512)).reboot).toBe(true); // covers 512..1023
    expect(f.onRequest(upload(512, 512)).reboot).toBe(false); // once
    const fs = new GatewayFaults(parseFaultSpecs(['reboot-mid-upload:at=0']), 0, 1);
    expect(fs.onRequest(packet(8, 0, { name: '/lfs/a', off: 0, len: 10, data: new Uint8Array(10) })).reboot).toBe(true);
  });

  it('uploadChunk recognises only upload writes', () => {
    expect(uploadChunk(upload(64, 32))).toEqual({ off: 64, length: 32 });
    expect(uploadChunk(packet(8, 0, { off: 5, data: new Uint8Array(3), name: '/x' }))).toEqual({ off: 5, length: 3 });
    expect(uploadChunk(packet(8, 0, { off: 0, name: '/x' }, Op.Read))).toBeUndefined(); // a download
    expect(uploadChunk(echo)).toBeUndefined();
    expect(uploadChunk(Uint8Array.of(1, 2))).toBeUndefined();
  });
});
