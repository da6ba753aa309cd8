/**
 * `fieldline firmware …`: look into an MCUboot image and check who signed it, before a profile or a device ever sees
 * it. Exit codes follow the one rule (main/cli/output.ts): 0 valid, 1 the image is refused (unsigned, untrusted key,
 * bad signature, changed byte, malformed), 2 a file could not be read or a key is not a usable public key.
 */
import type { Command } from 'commander';
import { algorithmLabel } from '../device/firmware-keys';
import { imageInfo, type ImageInfo } from '../device/mcuboot-info';
import { verifyMcubootImage } from '../device/mcuboot-signature';
import { LOAD_LIMITS } from '../profiles/limits';
import { readRegularFile } from '../profiles/regular-file';
import { readFirmwareKeyFile } from '../profiles/signing-keys';
import { print, type OutputOptions } from './output';

const readImage = (file: string): Promise<Uint8Array> => readRegularFile(file, { maxBytes: LOAD_LIMITS.imageBytes, what: 'firmware image' });

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

async function verifyCommand(file: string, opts: OutputOptions & { key: string[] }): Promise<void> {
  // Keys first: a key that is no key is a usage problem (exit 2), whatever the image holds.
  const keys = await Promise.all(opts.key.map((path) => readFirmwareKeyFile(path)));
  const result = verifyMcubootImage(await readImage(file), keys);
  const report = {
    file,
    valid: true,
    algorithm: result.algorithm,
    keyHash: result.keyHash,
    key: result.keySource,
    version: result.version,
    hash: result.hash,
  };
  print(opts, report, () =>
    [
      `${file}: valid, signed with ${algorithmLabel(result.algorithm)}`,
      `  key      ${result.keySource} (key hash ${result.keyHash})`,
      `  version  ${result.version}`,
      `  hash     ${result.hash}`,
    ].join('\n'),
  );
}

function infoText(file: string, info: ImageInfo): string {
  const s = info.sizes;
  const lines = [
    `${file}: MCUboot image ${info.version}`,
    `  flags         ${info.flags.value}${info.flags.names.length ? ` (${info.flags.names.join(', ')})` : ''}`,
    `  load address  ${info.loadAddress}`,
    `  sizes         file ${s.file}, header ${s.header}, body ${s.body}, protected TLVs ${s.protectedTlvs}, TLVs ${s.tlvs}` +
      (s.trailing ? `, ${s.trailing} trailing bytes (ignored)` : ''),
    `  hash          ${info.hash ?? 'none'} (${info.hashValid ? 'matches the image' : 'does NOT match the image'})`,
    `  signed        ${info.signatures.length ? `${info.signatures.join(', ')} by key hash ${info.keyHashes.join(', ') || 'none'}` : 'no'}`,
    '  TLVs:',
    ...info.tlvs.map((t) => `    ${t.area.padEnd(12)} @${String(t.offset).padEnd(7)} ${t.name.padEnd(14)} ${String(t.length).padStart(4)}  ${t.value}`),
  ];
  return lines.join('\n');
}

export function registerFirmwareCommands(program: Command): void {
  const firmware = program.command('firmware').description('MCUboot firmware images: show the header and TLVs, verify the signature against trusted keys');

  firmware
    .command('verify <file>')
    .description('verify an MCUboot image: its SHA-256, then its signature against the --key public keys (exit 1 if refused, with the reason)')
    // No default list: commander enforces a required option only while its value is undefined.
    .requiredOption('--key <public.pem>', 'a trusted signing key, PEM (RSA-2048/3072, ECDSA P-256, Ed25519; repeatable)', collect)
    .option('--json', 'print JSON')
    .action(verifyCommand);

  firmware
    .command('info <file>')
    .description('show an MCUboot image: header fields, version, flags, load address, sizes and every TLV (no key needed)')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: OutputOptions) => {
      const info = imageInfo(await readImage(file));
      print(opts, { file, ...info }, () => infoText(file, info));
    });
}
