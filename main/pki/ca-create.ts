/**
 * A development CA made on the station: a root (P-256, 10 years, pathLen 1) that signs one station intermediate
 * (P-256, 5 years, pathLen 0), which signs the devices. The root's private key is generated non-extractable and
 * dropped once it has signed: a development root has no other job, and a key that was never stored cannot leak from
 * a copied data directory. The price: a new intermediate needs a new root (`fieldline ca init --force`), which for
 * development is the right amount of ceremony. Production stations import an intermediate from their organisation.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto, type KeyObject } from 'node:crypto';
import { FieldlineError } from '../errors';
import { CLOCK_SKEW_MS, randomSerial } from './issue';
import { importCaKey, x509Crypto, type CaSigningKey } from './x509-crypto';

export const DEFAULT_ORGANIZATION = 'Fieldline Development';
export const ROOT_YEARS = 10;
export const INTERMEDIATE_YEARS = 5;
/** X.520's upper bound for organizationName. */
const MAX_ORGANIZATION = 64;

const P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const ECDSA_SHA256 = { name: 'ECDSA', hash: 'SHA-256' } as const;
const CA_USAGE = x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign;

export interface DevelopmentCa {
  root: x509.X509Certificate;
  intermediate: x509.X509Certificate;
  /** The intermediate's key for sealing. The caller zeroes it once it is encrypted. */
  intermediatePkcs8: Uint8Array;
  intermediateKey: CaSigningKey;
}

function yearsAfter(date: Date, years: number): Date {
  const d = new Date(date);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d;
}

function caName(commonName: string, organization: string): x509.Name {
  // Passed as typed values: x509's string parser would re-read escapes in an organisation name such as "A\, B".
  return new x509.Name([{ '2.5.4.3': [{ utf8String: commonName }] }, { '2.5.4.10': [{ utf8String: organization }] }]);
}

async function createDevelopmentChain(options: { organization?: string; now: Date; intermediateKey: webcrypto.CryptoKey }): Promise<Pick<DevelopmentCa, 'root' | 'intermediate'>> {
  const organization = (options.organization ?? DEFAULT_ORGANIZATION).trim();
  if (organization.length === 0 || organization.length > MAX_ORGANIZATION) {
    throw new FieldlineError('INVALID_ARGUMENT', `the organisation name must be 1 to ${MAX_ORGANIZATION} characters`);
  }
  const { now } = options;
  const notBefore = new Date(now.getTime() - CLOCK_SKEW_MS);
  // A short random tag tells apart the development CAs of different stations, which share everything else.
  const tag = randomBytes(4).toString('hex').toUpperCase();

  const rootKeys = await webcrypto.subtle.generateKey(P256, false, ['sign', 'verify']);
  const rootSki = await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey, false, x509Crypto);
  const root = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerial(),
      name: caName(`Fieldline Development Root ${tag}`, organization),
      notBefore,
      notAfter: yearsAfter(now, ROOT_YEARS),
      keys: rootKeys,
      signingAlgorithm: ECDSA_SHA256,
      extensions: [new x509.BasicConstraintsExtension(true, 1, true), new x509.KeyUsagesExtension(CA_USAGE, true), rootSki],
    },
    x509Crypto,
  );

  const intermediate = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(),
      subject: caName(`Fieldline Station CA ${tag}`, organization),
      issuer: root.subjectName,
      notBefore,
      notAfter: yearsAfter(now, INTERMEDIATE_YEARS),
      publicKey: options.intermediateKey,
      signingKey: rootKeys.privateKey,
      signingAlgorithm: ECDSA_SHA256,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(CA_USAGE, true),
        await x509.SubjectKeyIdentifierExtension.create(options.intermediateKey, false, x509Crypto),
        new x509.AuthorityKeyIdentifierExtension(rootSki.keyId),
      ],
    },
    x509Crypto,
  );
  return { root, intermediate };
}

export async function createDevelopmentCa(options: { organization?: string; now: Date }): Promise<DevelopmentCa> {
  // Extractable only so it can be exported once for sealing; the station signs with a non-extractable re-import.
  const keys = await webcrypto.subtle.generateKey(P256, true, ['sign', 'verify']);
  const { root, intermediate } = await createDevelopmentChain({ ...options, intermediateKey: keys.publicKey });
  const intermediatePkcs8 = new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { root, intermediate, intermediatePkcs8, intermediateKey: await importCaKey(intermediatePkcs8) };
}

/**
 * The root and an intermediate certificate for a key made elsewhere — a PKCS#11 token's, whose private half this
 * process never sees. The root is made, used once and dropped exactly as for a file CA: nothing of it is stored.
 */
export async function createDevelopmentChainFor(publicKey: KeyObject, options: { organization?: string; now: Date }): Promise<Pick<DevelopmentCa, 'root' | 'intermediate'>> {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const intermediateKey = await webcrypto.subtle.importKey('spki', spki, P256, true, ['verify']);
  return createDevelopmentChain({ ...options, intermediateKey });
}
