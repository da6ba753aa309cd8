/**
 * The station CA: present, readable, unlocked or unlockable with what is at hand, and not about to expire — a run
 * that needs it fails at the identity step otherwise, after the device was already touched.
 */
import { fail, pass, warn, type CheckDefinition, type CheckOutcome } from './check';
import type { StationProbes } from './probes';

const DAY_MS = 24 * 60 * 60 * 1000;
/** The horizon: a month's notice to get a new intermediate signed. */
export const CA_EXPIRY_WARNING_DAYS = 30;
const RENEW = 'get a new intermediate from your organisation and import it: fieldline ca import';

function expiry(notAfter: string | undefined, now: number): CheckOutcome | undefined {
  if (notAfter === undefined) return undefined;
  const end = Date.parse(notAfter);
  if (Number.isNaN(end)) return undefined;
  const days = Math.floor((end - now) / DAY_MS);
  if (end <= now) return fail(`the station CA expired on ${notAfter}: certificates it signs are refused`, RENEW);
  if (days < CA_EXPIRY_WARNING_DAYS) return warn(`the station CA expires on ${notAfter} (in ${days} day${days === 1 ? '' : 's'})`, RENEW);
  return undefined;
}

export function caChecks(probes: StationProbes): CheckDefinition[] {
  return [
    {
      id: 'ca.station',
      title: 'Station CA present, unlockable and valid',
      async run() {
        const ca = await probes.ca();
        if (!ca.initialized) return fail('this station has no CA: provisioning stops at the identity step', 'fieldline ca init (development) or fieldline ca import (an intermediate from your organisation)');
        if (ca.readError !== undefined) return fail(`the CA files cannot be read: ${ca.readError}`, 'restore <data-dir>/ca from a backup, or import a new intermediate (fieldline ca import)');
        const expiring = expiry(ca.notAfter, probes.now());
        if (expiring?.status === 'fail') return expiring;
        const until = ca.notAfter ? `, valid until ${ca.notAfter}` : '';
        let lock: CheckOutcome;
        if (ca.ready) lock = pass(`unlocked${until}`);
        else if (ca.unlock === 'tried' && ca.unlockError !== undefined) lock = fail(`locked, and the passphrase or PIN at hand does not open it: ${ca.unlockError}`, 'set FIELDLINE_CA_PASSPHRASE (or FIELDLINE_PKCS11_PIN) to the right one, or unset it to be asked');
        else if (ca.unlock === 'tried') lock = pass(`opens with the passphrase or PIN at hand${until}`);
        else if (ca.unlock === 'prompt') lock = pass(`locked; its passphrase is asked when a run needs it${until}`);
        else lock = warn(`locked: runs fail with "The station CA is locked" until it is unlocked${until}`, 'unlock it in Settings with its passphrase (or start the station with FIELDLINE_CA_PASSPHRASE set)');
        if (lock.status === 'fail' || !expiring) return lock;
        return expiring;
      },
    },
  ];
}
