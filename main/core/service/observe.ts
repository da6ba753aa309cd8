/**
 * What a service record keeps as `before` and `after`: the device as read back — its image slots, the certificate in
 * the profile's identity slot, and every setting and file the basis profile names — never what an action meant to
 * write. Settings and files are kept as hashes and short values, so a record stays small and holds no secrets.
 */
import { createHash } from 'node:crypto';
import { readConfiguration } from '../../device/read-config';
import type { GatewaySession } from '../../device/session';
import { certificateRecord } from '../../pki/csr';
import type { RenderedProfile } from '../../profiles/template';
import type { LoadedProfile } from '../../profiles/load';
import { identityInfo } from '../../smp/groups/identity';
import { readState } from '../../smp/groups/image';

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** A setting's bytes as the record shows them: hex up to 64 bytes, else its length and hash. */
function shown(bytes: Uint8Array | undefined): string | null {
  if (bytes === undefined) return null;
  return bytes.length <= 64 ? Buffer.from(bytes).toString('hex') : `${bytes.length} bytes, sha256 ${sha256(bytes)}`;
}

export interface DeviceCertificate {
  der: Uint8Array;
  serial: string;
  subject: string;
  issuer: string;
  fingerprintSha256: string;
  notBefore: string;
  notAfter: string;
}

/** The certificate in a csr-mode identity slot, or undefined when the slot holds none (or the profile injects files). */
export async function readSlotCertificate(session: GatewaySession, profile: LoadedProfile | undefined): Promise<DeviceCertificate | undefined> {
  const spec = profile?.profile.identity;
  const slot = spec?.mode === 'inject' ? undefined : (spec?.slot ?? 0);
  if (slot === undefined) return undefined;
  const info = await identityInfo(session.client, slot);
  if (!info.cert) return undefined;
  return describeCertificate(info.cert);
}

/**
 * The certificate as the run record and the revocation lists name it (pki's certificateRecord): its issuer in the same
 * form as a list's `issuer`, so a revocation listed by serial and issuer is found.
 */
export function describeCertificate(der: Uint8Array): DeviceCertificate | undefined {
  try {
    const record = certificateRecord(der);
    return { ...record, der, serial: record.serial.replace(/^0+(?=.)/, '') };
  } catch {
    // Bytes in the slot that are not a certificate: the device holds no usable identity.
    return undefined;
  }
}

/** The device's state, for a service record's before/after. */
export async function observeDevice(session: GatewaySession, profile: LoadedProfile | undefined, rendered: RenderedProfile | undefined): Promise<Record<string, unknown>> {
  const slots = (await readState(session.client)).map((s) => ({ slot: s.slot, version: s.version, active: s.active, confirmed: s.confirmed, pending: s.pending }));
  const active = slots.find((s) => s.active);
  const certificate = await readSlotCertificate(session, profile);
  const state: Record<string, unknown> = {
    firmware: active ? { version: active.version, confirmed: active.confirmed } : null,
    slots,
    certificate: certificate ? { serial: certificate.serial, fingerprintSha256: certificate.fingerprintSha256, notAfter: certificate.notAfter } : null,
  };
  if (rendered) {
    const back = await readConfiguration(session, rendered.settings.map((s) => s.name), rendered.files.map((f) => f.path));
    state.settings = Object.fromEntries(rendered.settings.map((s) => [s.name, shown(back.settings.get(s.name))]));
    state.files = Object.fromEntries(
      rendered.files.map((f) => {
        const content = back.files.get(f.path);
        return [f.path, content === undefined ? null : sha256(content)];
      }),
    );
  }
  return state;
}
