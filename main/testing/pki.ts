/**
 * Test helpers for the station CA: device CSRs made the way a device would (with @peculiar/x509), the real openssl
 * CLI as an independent judge of what the CA writes, and an organisation CA made with openssl for import tests.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { execFile } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

type X509Crypto = NonNullable<Parameters<typeof x509.Pkcs10CertificateRequestGenerator.create>[1]>;
export const testCrypto = webcrypto as unknown as X509Crypto;

export interface DeviceCsr {
  der: Uint8Array;
  keys: webcrypto.CryptoKeyPair;
  spki: Uint8Array;
}

export async function makeCsr(subject: string, curve: 'P-256' | 'P-384' = 'P-256'): Promise<DeviceCsr> {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: curve }, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create(
    { name: subject, keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } },
    testCrypto,
  );
  return { der: new Uint8Array(csr.rawData), keys, spki: new Uint8Array(await webcrypto.subtle.exportKey('spki', keys.publicKey)) };
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `openssl …`; never rejects, so a test can assert on a failing verify. */
export function openssl(args: string[], cwd?: string): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile('openssl', args, { cwd, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

export async function opensslOk(args: string[], cwd?: string): Promise<string> {
  const r = await openssl(args, cwd);
  if (r.code !== 0) throw new Error(`openssl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

export function derToPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  return x509.PemConverter.encode(new Uint8Array(der).buffer, label) + '\n';
}

const CA_EXT = (pathlen: number): string =>
  `basicConstraints=critical,CA:TRUE,pathlen:${pathlen}\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n`;

export interface OrgCa {
  rootPem: string;
  /** Issuing CAs between root and the station intermediate (PEM each), top first. */
  middlePems: string[];
  intermediatePem: string;
  /** SEC1 "EC PRIVATE KEY" PEM, as `openssl ecparam -genkey` writes it. */
  intermediateKeyPem: string;
  dir: string;
}

/**
 * An organisation's CA made with openssl in `dir`: a P-384 root, optionally one P-256 policy CA (pathlen 1 unless
 * `middlePathLen`), and a P-256 intermediate for the station (pathlen 0). `intermediateExt` replaces the intermediate's extensions (to make a
 * non-CA certificate, say).
 */
export async function makeOrgCa(dir: string, options: { middle?: boolean; middlePathLen?: number; intermediateExt?: string } = {}): Promise<OrgCa> {
  const run = (args: string[]): Promise<string> => opensslOk(args, dir);
  await run(['ecparam', '-name', 'secp384r1', '-genkey', '-noout', '-out', 'root.key']);
  await run([
    'req', '-x509', '-new', '-key', 'root.key', '-sha384', '-days', '3650', '-subj', '/CN=Acme Device Root/O=Acme Corp',
    '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:2', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', 'root.pem',
  ]);
  let issuer = { cert: 'root.pem', key: 'root.key' };
  const middlePems: string[] = [];
  const sign = async (name: string, subj: string, ext: string): Promise<void> => {
    await run(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`]);
    await run(['req', '-new', '-key', `${name}.key`, '-subj', subj, '-out', `${name}.csr`]);
    await writeFile(join(dir, `${name}.ext`), ext);
    await run([
      'x509', '-req', '-in', `${name}.csr`, '-CA', issuer.cert, '-CAkey', issuer.key, '-set_serial', `0x${Date.now().toString(16)}01`,
      '-days', '1825', '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.pem`,
    ]);
  };
  if (options.middle) {
    await sign('policy', '/CN=Acme Policy CA/O=Acme Corp', CA_EXT(options.middlePathLen ?? 1));
    middlePems.push(await run(['x509', '-in', 'policy.pem']));
    issuer = { cert: 'policy.pem', key: 'policy.key' };
  }
  await sign('station', '/CN=Acme Station CA MUC-3/O=Acme Corp', options.intermediateExt ?? CA_EXT(0));
  return {
    rootPem: await run(['x509', '-in', 'root.pem']),
    middlePems,
    intermediatePem: await run(['x509', '-in', 'station.pem']),
    intermediateKeyPem: await run(['ec', '-in', 'station.key']),
    dir,
  };
}
