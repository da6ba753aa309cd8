/**
 * OS management group (0), after Zephyr's os_mgmt.c: echo, task and memory-pool statistics, RTC date/time,
 * reset, MCUmgr buffer parameters, uname-like info and bootloader info.
 */
import { GROUP } from '../../smp/error-codes';
import type { DeviceContext } from './context';
import { formatZephyrVersion } from '../../device/mcuboot-image';
import { BadRequest, defineGroup, groupErrors, ok, optText, text, type CommandFn, type DeviceGroupHandler } from './request';

/** What this virtual board reports as its build; fixed, so outputs are stable across runs. */
export const BOARD = {
  kernelVersion: '3.7.0',
  machine: 'arm',
  processor: 'cortex-m4',
  platform: 'fieldline_gw@1.0',
  buildDateTime: '2025-01-15T09:30:00+0000',
} as const;

/** MCUBOOT_MODE_SWAP_USING_MOVE, the "swap without scratch" mode the device's boot() emulates. */
export const BOOTLOADER_MODE_SWAP_WITHOUT_SCRATCH = 3;

const err = groupErrors(GROUP.OS);

export function nodeName(serial: string): string {
  return `fieldline-gw-${serial}`;
}

/** Zephyr prints the fields in this fixed order whatever order the letters come in. */
const INFO_FIELDS = ['s', 'n', 'r', 'v', 'b', 'm', 'p', 'i', 'o'] as const;
type InfoField = (typeof INFO_FIELDS)[number];

function info(ctx: DeviceContext, format: string): string | undefined {
  const wanted = new Set<InfoField>();
  for (const letter of format) {
    if (letter === 'a') INFO_FIELDS.forEach((f) => wanted.add(f));
    else {
      const field = INFO_FIELDS.find((f) => f === letter);
      if (!field) return undefined;
      wanted.add(field);
    }
  }
  if (wanted.size === 0) wanted.add('s');
  const running = ctx.state.slot(0)?.image?.version ?? ctx.config.firmwareVersion;
  const values: Record<InfoField, string> = {
    s: 'Zephyr',
    n: nodeName(ctx.config.serial),
    r: formatZephyrVersion(running),
    v: BOARD.kernelVersion,
    b: BOARD.buildDateTime,
    m: BOARD.machine,
    p: BOARD.processor,
    i: BOARD.platform,
    o: 'Zephyr',
  };
  return INFO_FIELDS.filter((f) => wanted.has(f))
    .map((f) => values[f])
    .join(' ');
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Zephyr's RTC format: "%4d-%02d-%02dT%02d:%02d:%02d" (no milliseconds, no zone: the RTC keeps UTC). */
export function formatDatetime(ms: number): string {
  const d = new Date(ms);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

const DATETIME_RE = /^(\d{4})-(\d{1,2})-(\d{1,2})T(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses what Zephyr's datetime set accepts. A zone suffix (older clients send one) is ignored, as Zephyr's
 * field-by-field strtol parser ignores it: the RTC has no zone.
 */
export function parseDatetime(textValue: string): number | undefined {
  const m = DATETIME_RE.exec(textValue);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  // Date.UTC rolls 31 February into March; a real RTC driver rejects it.
  return new Date(t).getUTCDate() === d ? t : undefined;
}

function taskStats(ctx: DeviceContext): Record<string, Record<string, number>> {
  const upS = Math.floor(ctx.uptimeMs() / 1000);
  const task = (tid: number, prio: number, stksiz: number, stkuse: number, cswPerS: number): Record<string, number> => ({
    prio: prio & 0xff,
    tid,
    state: tid === 0 ? 0 : 1,
    stkuse,
    stksiz,
    cswcnt: upS * cswPerS + tid,
    runtime: upS * 1000 * (tid === 0 ? 9 : 1),
    last_checkin: 0,
    next_checkin: 0,
  });
  return {
    idle: task(0, 15, 80, 20, 40),
    main: task(1, 0, 512, 188, 2),
    sysworkq: task(2, -1, 256, 94, 11),
    'mcumgr smp': task(3, 3, 608, 301, 3),
    modem: task(4, 7, 384, 141, 5),
  };
}

export function createOsGroup(ctx: DeviceContext): DeviceGroupHandler {
  const echo: CommandFn = ({ body }) => ok({ r: text(body, 'd') });
  return defineGroup({
    group: GROUP.OS,
    name: 'os mgmt',
    commands: {
      0: { read: echo, write: echo },
      2: { read: () => ok({ tasks: taskStats(ctx) }) },
      3: {
        read: () =>
          ok({
            heap: { blksiz: 16, nblks: 1024, nfree: 611, min: 540 },
            net_buf: { blksiz: ctx.config.bufSize, nblks: ctx.config.bufCount, nfree: ctx.config.bufCount - 1, min: 1 },
          }),
      },
      4: {
        read: () => ok({ datetime: formatDatetime(ctx.now() + ctx.state.rtcOffsetMs) }),
        write: async ({ body }) => {
          const at = parseDatetime(text(body, 'datetime'));
          if (at === undefined) throw new BadRequest('datetime must be yyyy-MM-ddTHH:mm:ss[.ffffff][zone]');
          await ctx.state.setRtcOffset(at - ctx.now());
          return ok();
        },
      },
      // Zephyr ignores a malformed `force` here (a core command must not refuse to reset), and so do we.
      5: {
        write: (_request, effects) => {
          effects.reboot();
          return ok();
        },
      },
      6: { read: () => ok({ buf_size: ctx.config.bufSize, buf_count: ctx.config.bufCount }) },
      7: {
        read: ({ body }) => {
          const output = info(ctx, optText(body, 'format') ?? '');
          return output === undefined ? err('INVALID_FORMAT') : ok({ output });
        },
      },
      8: {
        read: ({ body }) => {
          const query = optText(body, 'query');
          if (query === undefined) return ok({ bootloader: 'MCUboot' });
          if (query === 'mode') return ok({ mode: BOOTLOADER_MODE_SWAP_WITHOUT_SCRATCH, 'no-downgrade': false });
          return err('QUERY_YIELDS_NO_ANSWER');
        },
      },
    },
  });
}
