/**
 * A virtual gateway's serial port: one pty made by socat, whose other side is socat's standard input and output —
 * pipes to this process. The app opens the pty with the real `serialport` package, exactly as it opens a USB
 * gateway; the simulated device reads and writes plain pipes.
 *
 * Why not a second pty for the device end (as before): the device side then went through `serialport` too, whose
 * reads hop through libuv's thread pool and fail with EAGAIN (an exception) after every chunk, and through a second
 * pty in the kernel. Per gateway that was most of the simulator's CPU, which on a 2-core station competes with the
 * app being measured. Pipes are read and written on the event loop. What the app sees is unchanged: a pty, raw, no
 * echo, that disappears when socat ends (an unplug).
 *
 * No orphans: socat ends by itself when its standard input closes — when this process ends, however it ends
 * (SIGKILL included) — after passing on what it has read; stop() also kills it, and a process 'exit' hook too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { lstat, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FieldlineError } from '../../errors';
import { silentLogger, type Logger } from '../../log';
import type { DevicePort } from './device-port';

export interface PtyLink {
  /** Path the app opens (a symlink to /dev/pts/N); it exists only after publish(). */
  readonly appPath: string;
  /** The device's end of the line. */
  readonly port: DevicePort;
  /** Resolves when socat has exited, for whatever reason. */
  readonly exited: Promise<void>;
  /**
   * Makes appPath appear (an atomic rename). Call it once the device listens: like a USB gateway, whose port shows
   * up only when its firmware runs, the port never exists while bytes would be lost.
   */
  publish(): Promise<void>;
  /** Ends socat (after it has passed on what the device wrote, at most END_GRACE_MS), removes the link; idempotent. */
  stop(): Promise<void>;
}

export interface PtyLinkOptions {
  appPath: string;
  logger?: Logger;
  /** How long to wait for socat to create the pty. */
  timeoutMs?: number;
  /** Executable to run (tests point it at a missing name). */
  socat?: string;
}

/** Characters socat reads as address syntax; a path containing one would be cut short. */
const SOCAT_SPECIAL = /[,:!'"\\\s{}[\]]/;
/** socat's own wait after its input ends (-t) for what is still in flight, and ours for socat to exit after that. */
const SOCAT_LINGER_S = 0.2;
const END_GRACE_MS = 1000;

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    // SIGTERM, not SIGKILL: socat then removes its link itself (nothing can be awaited in an exit hook).
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

/** socat's standard input and output as the device's port. */
function pipePort(child: ChildProcess): DevicePort {
  const input = child.stdin!;
  const output = child.stdout!;
  let lastWrite: Promise<void> = Promise.resolve();
  let closed = false;
  // EPIPE once socat is gone (an unplug, a stop): the line is dead, which the gateway already knows.
  input.on('error', () => {});
  output.on('error', () => {});
  return {
    write(bytes) {
      if (closed || input.destroyed) return;
      lastWrite = new Promise((resolve) => input.write(bytes, () => resolve()));
    },
    // Everything written is in the pipe once its write has called back; socat polls the pipe and passes it on at
    // once, and before it exits on close() it passes on the rest (-t): nothing more to wait for before a close.
    flush: () => lastWrite,
    onData(listener) {
      output.on('data', (data: Buffer) => listener(new Uint8Array(data.buffer, data.byteOffset, data.length)));
    },
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => input.end(() => resolve()));
    },
  };
}

export async function createPtyLink(options: PtyLinkOptions): Promise<PtyLink> {
  const { appPath } = options;
  const logger = options.logger ?? silentLogger;
  if (SOCAT_SPECIAL.test(appPath)) throw new FieldlineError('SIMULATOR_FAILED', `pty path ${appPath} contains characters socat cannot take`);
  // socat makes the app's link under a hidden name; publish() renames it into place.
  const pendingPath = join(dirname(appPath), `.${basename(appPath)}.pending`);
  // A link left by a socat that was killed hard would make the app open a dead pty.
  await Promise.all([appPath, pendingPath].map(removeLink));
  installExitHook();

  const child = spawn(options.socat ?? 'socat', ['-d', '-d', '-t', String(SOCAT_LINGER_S), `pty,raw,echo=0,link=${pendingPath}`, 'STDIO'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
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
  const port = pipePort(child);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        // Input closed: socat passes on what it holds and ends by itself; a socat that does not is ended.
        await port.close();
        let timer: NodeJS.Timeout | undefined;
        const ended = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), END_GRACE_MS)))]);
        clearTimeout(timer);
        if (!ended) {
          child.kill('SIGTERM');
          const kill = setTimeout(() => child.kill('SIGKILL'), 2000);
          await exited;
          clearTimeout(kill);
        }
      }
      // socat removes the link it made, but not the renamed one.
      await Promise.all([appPath, pendingPath].map(removeLink));
    })();
    return stopping;
  };

  const deadline = Date.now() + (options.timeoutMs ?? 5000);
  let dead = false;
  void exited.then(() => (dead = true));
  while (!(await exists(pendingPath))) {
    if (dead || Date.now() > deadline) {
      await stop();
      throw new FieldlineError('SIMULATOR_FAILED', `socat did not create ${appPath}: ${stderr.trim() || 'no output'}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  logger.debug('pty ready', { appPath, pid: child.pid });
  const publish = (): Promise<void> => rename(pendingPath, appPath);
  return { appPath, port, exited, publish, stop };
}
