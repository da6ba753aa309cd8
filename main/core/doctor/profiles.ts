/**
 * Profiles whose firmware section names no signing keys: an image they flash is checked against the SHA-256 the
 * profile gives, never against the publisher's key before upload — an image signed with the wrong key is found only
 * when MCUboot on the device refuses it, after the upload and a reboot.
 */
import { listed, pass, skip, warn, type CheckDefinition } from './check';
import type { StationProbes } from './probes';

export function profileChecks(probes: Pick<StationProbes, 'profiles'>): CheckDefinition[] {
  return [
    {
      id: 'profiles.signing-keys',
      title: 'Profiles name their firmware signing keys',
      async run() {
        const profiles = await probes.profiles();
        const withFirmware = profiles.filter((p) => p.firmware);
        if (withFirmware.length === 0) return skip(profiles.length === 0 ? 'no profile in the library' : 'no profile in the library flashes firmware');
        const without = withFirmware.filter((p) => p.signingKeys === 0).map((p) => p.name);
        if (without.length === 0) return pass(`all ${withFirmware.length} profile(s) with firmware name its signing keys`);
        return warn(`${listed(without)} name${without.length === 1 ? 's' : ''} no firmware.signingKeys: their images are not checked against the publisher’s key`, 'add firmware.signingKeys (the MCUboot public key, PEM) to each, and sign the profile again');
      },
    },
  ];
}
