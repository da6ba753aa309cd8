/** Names of SMP groups and of their error codes (SMP.md §3, IDENTITY-GROUP.md), for errors a person can read. */
export const GROUP = {
  OS: 0,
  IMAGE: 1,
  STATS: 2,
  SETTINGS: 3,
  LOG: 4,
  CRASH: 5,
  SPLIT: 6,
  RUN: 7,
  FS: 8,
  SHELL: 9,
  ENUM: 10,
  ZEPHYR: 63,
  IDENTITY: 64,
} as const;

const GROUP_NAMES = new Map<number, string>(Object.entries(GROUP).map(([name, id]) => [id, name]));

export function groupName(group: number): string {
  return GROUP_NAMES.get(group) ?? (group >= 64 ? `USER_${group}` : `GROUP_${group}`);
}

/** MGMT_ERR_* (v1 `rc`, and SMP-layer errors in v2). */
export const MGMT_ERR = [
  'EOK',
  'EUNKNOWN',
  'ENOMEM',
  'EINVAL',
  'ETIMEOUT',
  'ENOENT',
  'EBADSTATE',
  'EMSGSIZE',
  'ENOTSUP',
  'ECORRUPT',
  'EBUSY',
  'EACCESSDENIED',
  'UNSUPPORTED_TOO_OLD',
  'UNSUPPORTED_TOO_NEW',
] as const;

export const MGMT_RC = Object.fromEntries(MGMT_ERR.map((n, i) => [n, i])) as { [K in (typeof MGMT_ERR)[number]]: number };

export function mgmtErrorName(rc: number): string {
  if (rc >= 256) return `EPERUSER+${rc - 256}`;
  return MGMT_ERR[rc] ?? `RC_${rc}`;
}

const GROUP_ERRORS: Record<number, readonly string[]> = {
  [GROUP.OS]: ['OK', 'UNKNOWN', 'INVALID_FORMAT', 'QUERY_YIELDS_NO_ANSWER', 'RTC_NOT_SET', 'RTC_COMMAND_FAILED', 'QUERY_RESPONSE_VALUE_NOT_VALID'],
  [GROUP.IMAGE]: [
    'OK', 'UNKNOWN', 'FLASH_CONFIG_QUERY_FAIL', 'NO_IMAGE', 'NO_TLVS', 'INVALID_TLV', 'TLV_MULTIPLE_HASHES_FOUND',
    'TLV_INVALID_SIZE', 'HASH_NOT_FOUND', 'NO_FREE_SLOT', 'FLASH_OPEN_FAILED', 'FLASH_READ_FAILED', 'FLASH_WRITE_FAILED',
    'FLASH_ERASE_FAILED', 'INVALID_SLOT', 'NO_FREE_MEMORY', 'FLASH_CONTEXT_ALREADY_SET', 'FLASH_CONTEXT_NOT_SET',
    'FLASH_AREA_DEVICE_NULL', 'INVALID_PAGE_OFFSET', 'INVALID_OFFSET', 'INVALID_LENGTH', 'INVALID_IMAGE_HEADER',
    'INVALID_IMAGE_HEADER_MAGIC', 'INVALID_HASH', 'INVALID_FLASH_ADDRESS', 'VERSION_GET_FAILED',
    'CURRENT_VERSION_IS_NEWER', 'IMAGE_ALREADY_PENDING', 'INVALID_IMAGE_VECTOR_TABLE', 'INVALID_IMAGE_TOO_LARGE',
    'INVALID_IMAGE_DATA_OVERRUN', 'IMAGE_CONFIRMATION_DENIED', 'IMAGE_SETTING_TEST_TO_ACTIVE_DENIED',
    'ACTIVE_SLOT_NOT_KNOWN',
  ],
  [GROUP.STATS]: ['OK', 'UNKNOWN', 'INVALID_GROUP', 'INVALID_STAT_NAME', 'INVALID_STAT_SIZE', 'WALK_ABORTED'],
  [GROUP.SETTINGS]: ['OK', 'UNKNOWN', 'KEY_TOO_LONG', 'KEY_NOT_FOUND', 'READ_NOT_SUPPORTED', 'ROOT_KEY_NOT_FOUND',
    'WRITE_NOT_SUPPORTED', 'DELETE_NOT_SUPPORTED', 'SAVE_NOT_SUPPORTED'],
  [GROUP.FS]: [
    'OK', 'UNKNOWN', 'FILE_INVALID_NAME', 'FILE_NOT_FOUND', 'FILE_IS_DIRECTORY', 'FILE_OPEN_FAILED', 'FILE_SEEK_FAILED',
    'FILE_READ_FAILED', 'FILE_TRUNCATE_FAILED', 'FILE_DELETE_FAILED', 'FILE_WRITE_FAILED', 'FILE_OFFSET_NOT_VALID',
    'FILE_OFFSET_LARGER_THAN_FILE', 'CHECKSUM_HASH_NOT_FOUND', 'MOUNT_POINT_NOT_FOUND', 'READ_ONLY_FILESYSTEM',
    'FILE_EMPTY',
  ],
  [GROUP.SHELL]: ['OK', 'UNKNOWN', 'COMMAND_TOO_LONG', 'EMPTY_COMMAND'],
  [GROUP.ENUM]: ['OK', 'UNKNOWN', 'TOO_MANY_GROUP_ENTRIES', 'INSUFFICIENT_HEAP_FOR_ENTRIES', 'INDEX_TOO_LARGE'],
  [GROUP.ZEPHYR]: ['OK', 'UNKNOWN', 'FLASH_OPEN_FAILED', 'FLASH_CONFIG_QUERY_FAIL', 'FLASH_ERASE_FAILED'],
  [GROUP.IDENTITY]: ['OK', 'UNKNOWN', 'KEY_MISMATCH', 'NO_KEY', 'BAD_CERT', 'STORAGE_FULL', 'BAD_SUBJECT'],
};

export function groupErrorName(group: number, rc: number): string {
  return GROUP_ERRORS[group]?.[rc] ?? `RC_${rc}`;
}

/** Group error code by name, for servers (the simulator) and for callers that test for one error. */
export function groupErrorCode(group: number, name: string): number {
  const rc = GROUP_ERRORS[group]?.indexOf(name) ?? -1;
  if (rc < 0) throw new RangeError(`group ${groupName(group)} has no error ${name}`);
  return rc;
}
