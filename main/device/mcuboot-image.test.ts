import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isFieldlineError } from '../errors';
import {
  compareVersions,
  formatVersion,
  formatZephyrVersion,
  makeMcubootImage,
  parseMcubootImage,
  parseVersion,
  TLV_SHA256,
} from './mcuboot-image';

const FIXTURE = new URL('../testing/fixtures/zephyr-hello_world.signed.bin', import.meta.url);

const hex = (b: Uint8Array | undefined): string => Buffer.from(b ?? []).toString('hex');

function expectInvalid(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(isFieldlineError(err, 'INVALID_ARGUMENT')).toBe(true);
    expect((err as Error).message).toMatch(pattern);
    return;
  }
  throw new Error('expected INVALID_ARGUMENT');
}

describe('parseMcubootImage on the real Zephyr fixture', () => {
  const bytes = new Uint8Array(readFileSync(FIXTURE));

  it('reads the facts listed in fixtures/README.md', () => {
    expect(bytes.length).toBe(25540);
    const img = parseMcubootImage(bytes);
    expect(img.hdrSize).toBe(512);
    expect(img.imgSize).toBe(24692);
    expect(img.flags).toBe(0);
    expect(formatVersion(img.version)).toBe('0.0.0+0');
    expect(img.tlvOffset).toBe(25204);
    expect(img.protectTlvSize).toBe(0);
    expect(img.tlvSize).toBe(336);
    expect(img.end).toBe(bytes.length);
    expect(img.tlvs.map((t) => [t.type, t.data.length])).toEqual([
      [0x10, 32],
      [0x01, 32],
      [0x20, 256],
    ]);
    expect(hex(img.hash)).toBe('90a0d88baaa733640dab01fd8e9311dbe8ea1032966b6b286ef6ef772cc608cf');
    expect(img.hashValid).toBe(true);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(
      '677df208a64748109526ecef0867afca2b2a37924fe2c4c009784e9698f604e7',
    );
  });

  it('notices a flipped body byte', () => {
    const copy = bytes.slice();
    copy[1000] = (copy[1000] as number) ^ 1;
    const img = parseMcubootImage(copy);
    expect(img.hashValid).toBe(false);
    expect(hex(img.hash)).toBe('90a0d88baaa733640dab01fd8e9311dbe8ea1032966b6b286ef6ef772cc608cf');
  });

  it('rejects truncation anywhere with a clear INVALID_ARGUMENT', () => {
    expectInvalid(() => parseMcubootImage(bytes.subarray(0, 16)), /shorter than the 32-byte header/);
    expectInvalid(() => parseMcubootImage(bytes.subarray(0, 20000)), /file has 20000/);
    expectInvalid(() => parseMcubootImage(bytes.subarray(0, 25206)), /TLV info header .* runs past/);
    expectInvalid(() => parseMcubootImage(bytes.subarray(0, 25500)), /runs past the end/);
  });

  it('rejects bad magic, bad header size and a TLV length that overruns its area', () => {
    const badMagic = bytes.slice();
    badMagic[0] = 0;
    expectInvalid(() => parseMcubootImage(badMagic), /bad magic/);
    const badHdr = bytes.slice();
    badHdr[8] = 4;
    badHdr[9] = 0;
    expectInvalid(() => parseMcubootImage(badHdr), /header size 4/);
    const badTlv = bytes.slice();
    // First TLV (SHA-256) claims 0xffff bytes.
    badTlv[25204 + 4 + 2] = 0xff;
    badTlv[25204 + 4 + 3] = 0xff;
    expectInvalid(() => parseMcubootImage(badTlv), /runs past its area/);
    const badInfo = bytes.slice();
    badInfo[25204] = 0x08;
    badInfo[25205] = 0x69;
    expectInvalid(() => parseMcubootImage(badInfo), /TLV info magic/);
  });
});

describe('makeMcubootImage', () => {
  it('makes an image of exactly the requested total size that verifies', () => {
    const bytes = makeMcubootImage({ version: '1.2.3+4', size: 4096 });
    expect(bytes.length).toBe(4096);
    const img = parseMcubootImage(bytes);
    expect(img.version).toEqual({ major: 1, minor: 2, revision: 3, build: 4 });
    expect(img.hdrSize).toBe(0x200);
    expect(img.end).toBe(4096);
    expect(img.hashValid).toBe(true);
    expect(img.tlvs[0]?.type).toBe(TLV_SHA256);
  });

  it('is deterministic, and the seed changes the body', () => {
    const a = makeMcubootImage({ version: '1.0.0', size: 2000 });
    const b = makeMcubootImage({ version: '1.0.0', size: 2000 });
    const c = makeMcubootImage({ version: '1.0.0', size: 2000, seed: 7 });
    expect(hex(a)).toBe(hex(b));
    expect(hex(parseMcubootImage(a).hash)).not.toBe(hex(parseMcubootImage(c).hash));
  });

  it('covers a protected TLV area with the hash', () => {
    const bytes = makeMcubootImage({ version: '2.0.0', size: 3000, protectedTlvs: [{ type: 0x50, data: new Uint8Array([1, 2, 3]) }] });
    const img = parseMcubootImage(bytes);
    expect(img.protectTlvSize).toBe(11);
    expect(img.protectedTlvs).toHaveLength(1);
    expect(img.hashValid).toBe(true);
    const tampered = bytes.slice();
    tampered[(img.protectedTlvs[0]?.offset ?? 0) + 4] = 9;
    expect(parseMcubootImage(tampered).hashValid).toBe(false);
  });

  it('refuses sizes that cannot hold header and TLVs, and bad versions', () => {
    expectInvalid(() => makeMcubootImage({ version: '1.0.0', size: 100 }), /too small/);
    expectInvalid(() => makeMcubootImage({ version: '1.0', size: 4096 }), /not major.minor.revision/);
    expectInvalid(() => makeMcubootImage({ version: '256.0.0', size: 4096 }), /does not fit/);
  });
});

describe('versions', () => {
  it('compares and formats like imgtool and Zephyr', () => {
    expect(compareVersions('1.2.3', '1.2.4')).toBeLessThan(0);
    expect(compareVersions('1.10.0', '1.9.9')).toBeGreaterThan(0);
    expect(compareVersions('1.2.3+1', '1.2.3+2')).toBeLessThan(0);
    expect(compareVersions('1.2.3+1', '1.2.3+2', false)).toBe(0);
    expect(formatZephyrVersion(parseVersion('1.2.3'))).toBe('1.2.3');
    expect(formatZephyrVersion(parseVersion('1.2.3+7'))).toBe('1.2.3.7');
  });
});
