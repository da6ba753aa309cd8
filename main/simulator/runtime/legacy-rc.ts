/**
 * SMP v1 ("original protocol") error codes for group errors. A Zephyr server built with
 * CONFIG_MCUMGR_SMP_SUPPORT_ORIGINAL_PROTOCOL answers a v1 request whose handler reported a group error with the
 * group's translation of that code into a legacy MGMT_ERR value (smp.c smp_translate_error_code and each
 * group's *_translate_error_code); a group without a translation answers EUNKNOWN. Fieldline's own user groups
 * (≥ 64) translate to 256 + code (IDENTITY-GROUP.md), so a v1 client still learns the exact group error.
 */
import { GROUP, MGMT_RC, groupErrorCode } from '../../smp/error-codes';

type Legacy = keyof typeof MGMT_RC;

/** Per group: group error name → legacy MGMT_ERR name. Unlisted names translate to EUNKNOWN, as in Zephyr. */
const TRANSLATIONS: Record<number, Record<string, Legacy>> = {
  [GROUP.OS]: {
    INVALID_FORMAT: 'EINVAL',
    QUERY_YIELDS_NO_ANSWER: 'ENOENT',
    RTC_NOT_SET: 'ENOENT',
  },
  [GROUP.IMAGE]: {
    NO_IMAGE: 'ENOENT',
    NO_TLVS: 'ENOENT',
    NO_FREE_SLOT: 'EBADSTATE',
    CURRENT_VERSION_IS_NEWER: 'EBADSTATE',
    IMAGE_ALREADY_PENDING: 'EBADSTATE',
    NO_FREE_MEMORY: 'ENOMEM',
    INVALID_SLOT: 'EINVAL',
    INVALID_PAGE_OFFSET: 'EINVAL',
    INVALID_OFFSET: 'EINVAL',
    INVALID_LENGTH: 'EINVAL',
    INVALID_IMAGE_HEADER: 'EINVAL',
    INVALID_HASH: 'EINVAL',
    INVALID_FLASH_ADDRESS: 'EINVAL',
  },
  [GROUP.STATS]: {
    INVALID_GROUP: 'ENOENT',
    INVALID_STAT_NAME: 'ENOENT',
    INVALID_STAT_SIZE: 'EINVAL',
  },
  [GROUP.SETTINGS]: {
    KEY_TOO_LONG: 'EINVAL',
    KEY_NOT_FOUND: 'ENOENT',
    READ_NOT_SUPPORTED: 'ENOENT',
  },
  [GROUP.FS]: {
    FILE_INVALID_NAME: 'EINVAL',
    CHECKSUM_HASH_NOT_FOUND: 'EINVAL',
    FILE_NOT_FOUND: 'ENOENT',
    MOUNT_POINT_NOT_FOUND: 'ENOENT',
  },
  [GROUP.SHELL]: {
    COMMAND_TOO_LONG: 'EINVAL',
    EMPTY_COMMAND: 'EINVAL',
  },
  [GROUP.ENUM]: {
    TOO_MANY_GROUP_ENTRIES: 'EINVAL',
  },
};

/** Groups that have a translation function in Zephyr (the Zephyr basic group's maps everything to EUNKNOWN). */
const TRANSLATED_GROUPS = new Set<number>([...Object.keys(TRANSLATIONS).map(Number), GROUP.ZEPHYR]);

/** The legacy `rc` a v1 request gets for group error `name` of `group`. Throws RangeError for an unknown name. */
export function legacyRc(group: number, name: string): number {
  const code = groupErrorCode(group, name);
  if (group >= 64) return 256 + code;
  if (!TRANSLATED_GROUPS.has(group)) return MGMT_RC.EUNKNOWN;
  return MGMT_RC[TRANSLATIONS[group]?.[name] ?? 'EUNKNOWN'];
}
