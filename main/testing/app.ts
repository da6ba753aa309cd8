/**
 * An app over a fresh temporary data directory with an unlocked development CA, as the server, Electron and
 * station tests need it; close() stops it and removes the folder. Device timings are shortened as for the
 * simulator's `--delay reboot=100`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type AppOptions, type FieldlineApp } from '../app';
import { createLogger, type LogRecord } from '../log';
import { initCa } from '../pki/station-ca';

export const TEST_PASSPHRASE = 'correct-horse-battery-staple';

export interface TestApp {
  app: FieldlineApp;
  dataDir: string;
  /** Every log line the app wrote, for a failing test's message. */
  logs: LogRecord[];
  close(): Promise<void>;
}

export async function createTestApp(options: Partial<Omit<AppOptions, 'dataDir' | 'logger'>> & { withCa?: boolean } = {}): Promise<TestApp> {
  const { withCa = true, ...appOptions } = options;
  const dataDir = await mkdtemp(join(tmpdir(), 'fieldline-app-'));
  const logs: LogRecord[] = [];
  try {
    if (withCa) await initCa(dataDir, { passphrase: TEST_PASSPHRASE, organization: 'Fieldline test' });
    const app = await createApp({
      dataDir,
      logger: createLogger('test', (r) => void logs.push(r), 'info'),
      caPassphrase: withCa ? TEST_PASSPHRASE : '',
      pollMs: 200,
      device: { rebootTimeoutMs: 20_000 },
      ...appOptions,
    });
    return {
      app,
      dataDir,
      logs,
      close: async () => {
        await app.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
}
