/**
 * The SMP GATT service and its one characteristic (SMP.md §5; Zephyr smp_transport.rst). Written the way noble
 * reports UUIDs: lower-case hex without dashes.
 */
export const SMP_SERVICE_UUID = '8d53dc1d1db74cd3868b8a527460aa84';
export const SMP_CHARACTERISTIC_UUID = 'da2e7828fbce4e01ae9e261174997c48';

/** A UUID as noble reports it: users may write one with dashes or in upper case; noble gives it bare and lower case. */
export function normalizeUuid(uuid: string): string {
  return uuid.replace(/-/g, '').toLowerCase();
}
