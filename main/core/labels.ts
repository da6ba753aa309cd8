/**
 * Labels from the app: the ZPL label of a passed run, read back from the store (the verified record, never what a
 * caller says about the run), sent to a network printer — the one asked for, else the station's configured one —
 * or, with neither, written to `<dataDir>/labels/<serial>-<run id>.zpl`. Every print is an audit entry
 * `label.print`, exactly as `fieldline label` writes it, plus who asked (`via`: the run view or the line).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { LabelPrint } from '../contract/line';
import { FieldlineError } from '../errors';
import type { Logger } from '../log';
import { labelSha256, printAudited, parsePrinterTarget, sendToPrinter, writeLabelFile, zplLabel } from '../station/labels';
import type { Store } from '../store/types';

export interface LabelServiceOptions {
  dataDir: string;
  store: Store;
  /** The configured printer (`host[:port]`), if any. */
  printer: () => string | undefined;
  operator: () => string;
  logger: Logger;
  /** Printer connection timeout (default 5000 ms). */
  timeoutMs?: number;
}

export interface PrintRequest {
  runId: string;
  /** `host[:port]`; default the configured printer, else a file. */
  printer?: string;
  /** Who asked, for the audit log. */
  via: 'ui' | 'line';
  /** `operator:NAME` from the core's permission check; default the settings operator. */
  actor?: string;
}

export interface LabelService {
  print(request: PrintRequest): Promise<LabelPrint>;
}

/** A file name part from a device serial (device input: anything but letters, digits, `.`, `_`, `-` goes). */
export function fileSafe(text: string): string {
  const safe = text.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_').slice(0, 64);
  return safe === '' ? 'unknown' : safe;
}

export function createLabelService(options: LabelServiceOptions): LabelService {
  const { store, logger } = options;
  return {
    async print({ runId, printer, via, actor: asked }) {
      const record = store.getRun(runId);
      if (!record) throw new FieldlineError('RUN_NOT_FOUND', runId);
      const zpl = zplLabel(record);
      const sha256 = labelSha256(zpl);
      const address = printer ?? options.printer();
      const actor = asked ?? `operator:${options.operator()}`;
      let target: string;
      let send: () => Promise<{ bytes: number }>;
      let file: string | undefined;
      if (address !== undefined) {
        const { host, port } = parsePrinterTarget(address);
        target = `printer:${host}:${port}`;
        send = () => sendToPrinter(host, port, zpl, { timeoutMs: options.timeoutMs ?? 5000 });
      } else {
        const dir = join(options.dataDir, 'labels');
        await mkdir(dir, { recursive: true });
        const path = join(dir, `${fileSafe(record.device.serial)}-${record.id}.zpl`);
        file = path;
        target = `file:${path}`;
        send = () => writeLabelFile(path, zpl);
      }
      const { bytes } = await printAudited(store, { actor, record, target, sha256, ...(via !== undefined ? { via } : {}) }, send);
      logger.info('label printed', { run: record.id, target, bytes });
      return { runId: record.id, serial: record.device.serial, target, ...(file ? { file } : {}), bytes, sha256 };
    },
  };
}
