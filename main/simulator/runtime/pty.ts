/**
 * A pty pair made by socat: the app opens one end with the real serialport, the simulated device the other
 * (STACK.md, "ptys (socat) and serialport"). Always `raw,echo=0`, or early bytes are echoed back mangled.
 *
 * No orphans: every socat is killed by stop(), by a process 'exit' hook, and — should this process die by
 * SIGKILL, where no hook runs — by a tiny watchdog shell that waits for its stdin pipe from us to close.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { lstat, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FieldlineError } from '../../errors';
import { silentLogger, type Logger } from '../../log';

export interface PtyPair {
  /** Path the app opens (a symlink to /dev/pts/N); it exists only after publish(). */
  readonly appPath: string;
  /** Path the simulated device opens. */
  readonly devPath: string;
  /** Resolves when socat has exited, for whatever reason. */
  readonly exited: Promise<void>;
  /**
   * Makes appPath appear (an atomic rename). Call it once the device end is open and listening: like a USB
   * gateway, whose port shows up only when its firmware runs, the port never exists while bytes would be lost.
   */
  publish(): Promise<void>;
  /** Kills socat (SIGTERM, SIGKILL after 2 s) and removes the links; idempotent. */
  stop(): Promise<void>;
}

export interface PtyOptions {
  appPath: string;
  devPath: string;
  logger?: Logger;
  /** How long to wait for socat to create both links. */
  timeoutMs?: number;
  /** Executable to run (tests point it at a missing name). */
  socat?: string;
}

/** Characters socat reads as address syntax; a path containing one would be cut short. */
const SOCAT_SPECIAL = /[,:!'"\\\s{}[\]]/;

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    // SIGTERM, not SIGKILL: socat then removes its links itself (nothing can be awaited in an exit hook).
    for (const child of live) child.kill('SIGTERM');
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function removeLink(path: string): Promise<void> {
  await unlink(path).catch(() => {});
}

export async function createPtyPair(options: PtyOptions): Promise<PtyPair> {
  const { appPath, devPath } = options;
  const logger = options.logger ?? silentLogger;
  for (const path of [appPath, devPath]) {
    if (SOCAT_SPECIAL.test(path)) throw new FieldlineError('SIMULATOR_FAILED', `pty path ${path} contains characters socat cannot take`);
  }
  // socat makes the app's link under a hidden name; publish() renames it into place.
  const pendingPath = join(dirname(appPath), `.${basename(appPath)}.pending`);
  const links = [appPath, pendingPath, devPath];
  // A link left by a socat that was killed hard would make the app open a dead pty.
  await Promise.all(links.map(removeLink));
  installExitHook();

  const child = spawn(
    options.socat ?? 'socat',
    ['-d', '-d', `pty,raw,echo=0,link=${pendingPath}`, `pty,raw,echo=0,link=${devPath}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  live.add(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    // socat -d -d is chatty; keep only the head for error messages.
    if (stderr.length < 4000) stderr += text;
  });
  const exited = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('error', () => resolve());
  });
  void exited.then(() => live.delete(child));

  const spawnError = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', (err) => resolve(err));
  });
  if (spawnError) {
    live.delete(child);
    if ((spawnError as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new FieldlineError('SOCAT_MISSING', `could not run ${options.socat ?? 'socat'}`, {}, { cause: spawnError });
    }
    throw new FieldlineError('SIMULATOR_FAILED', `could not start socat: ${spawnError.message}`, {}, { cause: spawnError });
  }

  // The watchdog: reads until our end of its stdin closes (we exited, however), then kills socat.
  const watchdog = spawn('sh', ['-c', `read _ ; kill ${child.pid} 2>/dev/null`], { stdio: ['pipe', 'ignore', 'ignore'] });
  watchdog.on('error', () => {});
  live.add(watchdog);
  void new Promise((r) => watchdog.once('close', r)).then(() => live.delete(watchdog));

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      watchdog.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
        await exited;
        clearTimeout(timer);
      }
      // socat removes the links it made, but not the renamed one.
      await Promise.all(links.map(removeLink));
    })();
    return stopping;
  };

  const deadline = Date.now() + (options.timeoutMs ?? 5000);
  let dead = false;
  void exited.then(() => (dead = true));
  while (!(await exists(pendingPath)) || !(await exists(devPath))) {
    if (dead || Date.now() > deadline) {
      await stop();
      throw new FieldlineError('SIMULATOR_FAILED', `socat did not create ${appPath} and ${devPath}: ${stderr.trim() || 'no output'}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  logger.debug('pty pair ready', { appPath, devPath, pid: child.pid });
  const publish = (): Promise<void> => rename(pendingPath, appPath);
  return { appPath, devPath, exited, publish, stop };
}
