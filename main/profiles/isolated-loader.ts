/**
 * Profile loading off the caller's event loop: a worker thread runs load.ts with a time limit and a memory limit
 * (resourceLimits), and is terminated when it passes either — the job is refused (PROFILE_TOO_COMPLEX) and the
 * next job gets a fresh worker. load.ts bounds everything it knows about; this is the bound for what it does not,
 * so one hostile profile can cost the station at most one worker's heap for at most `timeoutMs`.
 *
 * One worker, one job at a time, in order: loading is short, and a second worker would double the memory a
 * hostile client can make the station spend. The queue is bounded (PROFILE_LOADER_BUSY past `maxQueued`). The
 * worker keeps the process alive only while it has work, so a CLI command that used it still exits by itself.
 */
import { Worker } from 'node:worker_threads';
import { FieldlineError } from '../errors';
import { toLoaded, type LoadedProfile, type ParseOptions, type ProfileAnalysis, type ProfileProblem } from './load';
import type { JobReply, LoadJob } from './loader-protocol';

export interface ProfileLoaderOptions {
  /** Time one job may run in the worker (default 1500 ms: a refusal this way still answers within 2 s). */
  timeoutMs?: number;
  /** The worker's V8 heap (old generation), in MB (default 64; the largest profile the limits allow needs ~25). */
  maxHeapMb?: number;
  /** Jobs waiting beyond the one running (default 32). */
  maxQueued?: number;
  /** Start the worker now rather than on the first job (a station: the first import should not wait for it). */
  prewarm?: boolean;
  /** The worker's entry, for tests that need a worker misbehaving in a way no profile can make it. */
  workerEntry?: URL;
}

export interface ProfileLoader {
  /** Reads the file in the worker (a regular file within the cap) and analyses it. */
  analyseFile(path: string, options?: ParseOptions): Promise<ProfileAnalysis>;
  /** Analyses bytes the caller already has; `sourceName` names and places them. */
  analyseContent(bytes: Uint8Array, sourceName: string, options?: ParseOptions): Promise<ProfileAnalysis>;
  close(): Promise<void>;
}

const DEFAULTS = { timeoutMs: 1500, maxHeapMb: 64, maxQueued: 32 } as const;
// Built (electron-vite), the worker is its own entry beside the main bundle; held in a variable so the bundler
// leaves this URL alone instead of treating it as an asset to inline.
const BUILT_ENTRY = './loader-worker.js';

/** The worker's entry: through tsx's bootstrap when running from the sources, the built file otherwise. */
function workerEntry(): URL {
  return import.meta.url.endsWith('.ts') ? new URL('./loader-worker-boot.mjs', import.meta.url) : new URL(BUILT_ENTRY, import.meta.url);
}

interface Pending {
  id: number;
  job: LoadJob;
  name: string;
  resolve(reply: JobReply): void;
  reject(err: unknown): void;
}

interface Running {
  worker: Worker;
  ready: boolean;
  current?: Pending;
  timer?: NodeJS.Timeout;
}

export function createProfileLoader(options: ProfileLoaderOptions = {}): ProfileLoader {
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const maxHeapMb = options.maxHeapMb ?? DEFAULTS.maxHeapMb;
  const maxQueued = options.maxQueued ?? DEFAULTS.maxQueued;
  const queue: Pending[] = [];
  let running: Running | undefined;
  let nextId = 1;
  let closed = false;

  const spawn = (): Running => {
    const worker = new Worker(options.workerEntry ?? workerEntry(), {
      resourceLimits: { maxOldGenerationSizeMb: maxHeapMb, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
      // Its output is the loader's, which prints nothing; a stray line must not reach a CLI's JSON stdout.
      stdout: true,
      stderr: true,
    });
    worker.stdout.resume();
    worker.stderr.resume();
    const state: Running = { worker, ready: false };
    worker.on('message', (message: JobReply | 'ready') => {
      if (message === 'ready') {
        state.ready = true;
        pump();
        return;
      }
      const job = state.current;
      if (!job || job.id !== message.id) return;
      clearTimeout(state.timer);
      state.current = undefined;
      job.resolve(message);
      pump();
    });
    worker.on('error', (err) => fail(state, workerFailure(err, state.current?.name ?? 'the profile', maxHeapMb)));
    worker.on('exit', (code) => fail(state, new FieldlineError('INTERNAL', `the profile loader stopped (exit code ${code})`)));
    worker.unref();
    return state;
  };

  /** The worker is gone (or must go): its job fails with `err`, and the next job gets a fresh worker. */
  const fail = (state: Running, err: FieldlineError): void => {
    if (running !== state) return;
    running = undefined;
    clearTimeout(state.timer);
    const job = state.current;
    state.current = undefined;
    void state.worker.terminate();
    if (job) job.reject(err);
    else for (const waiting of queue.splice(0)) waiting.reject(err); // it never started: nothing will
    pump();
  };

  const pump = (): void => {
    if (closed) return;
    if (queue.length === 0) {
      if (running && !running.current) running.worker.unref();
      return;
    }
    running ??= spawn();
    const state = running;
    // The worker keeps the process alive while there is work for it.
    state.worker.ref();
    if (!state.ready || state.current) return;
    const job = queue.shift() as Pending;
    state.current = job;
    state.timer = setTimeout(() => fail(state, tookTooLong(job.name, timeoutMs)), timeoutMs);
    state.worker.postMessage({ id: job.id, job: job.job });
  };

  const submit = (job: LoadJob, name: string): Promise<JobReply> => {
    if (closed) return Promise.reject(new FieldlineError('CANCELLED', 'the profile loader is closed'));
    // Waiting jobs, counting one that is only waiting for the worker to start: the running one is not counted.
    if (queue.length + (running?.current ? 1 : 0) > maxQueued) {
      return Promise.reject(new FieldlineError('PROFILE_LOADER_BUSY', `${queue.length} profiles are waiting to be checked`));
    }
    return new Promise<JobReply>((resolve, reject) => {
      queue.push({ id: nextId++, job, name, resolve, reject });
      pump();
    });
  };

  const analysisOf = (reply: JobReply, bytes: Uint8Array | undefined): ProfileAnalysis => {
    if (!reply.ok) {
      if ('bug' in reply) throw new FieldlineError('INTERNAL', `the profile loader failed: ${reply.bug.split('\n')[0] ?? ''}`, { stack: reply.bug });
      throw new FieldlineError(reply.error.code, reply.error.message, reply.error.details);
    }
    const content = reply.bytes ?? bytes ?? new Uint8Array();
    return { ...reply.analysis, bytes: content, text: new TextDecoder('utf-8', { fatal: false }).decode(content) };
  };

  if (options.prewarm) {
    running = spawn();
  }

  return {
    async analyseFile(path, parseOptions = {}) {
      return analysisOf(await submit({ kind: 'file', path, options: parseOptions }, path), undefined);
    },
    async analyseContent(bytes, sourceName, parseOptions = {}) {
      return analysisOf(await submit({ kind: 'content', bytes, sourceName, options: parseOptions }, sourceName), bytes);
    },
    async close() {
      closed = true;
      for (const waiting of queue.splice(0)) waiting.reject(new FieldlineError('CANCELLED', 'the profile loader is closed'));
      const state = running;
      running = undefined;
      if (state) {
        clearTimeout(state.timer);
        state.current?.reject(new FieldlineError('CANCELLED', 'the profile loader is closed'));
        await state.worker.terminate();
      }
    },
  };
}

function tookTooLong(name: string, timeoutMs: number): FieldlineError {
  const message = `took longer than ${timeoutMs} ms to check, and was stopped`;
  return new FieldlineError('PROFILE_TOO_COMPLEX', `${name}: ${message}`, { file: name, limit: 'time', problems: [problem(message)] });
}

/** A worker's 'error': out of memory is the profile's doing; anything else is the loader's. `details.limit` says which limit stopped it. */
function workerFailure(err: Error, name: string, maxHeapMb: number): FieldlineError {
  if ((err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') {
    const message = `needed more than ${maxHeapMb} MB to check, and was stopped`;
    return new FieldlineError('PROFILE_TOO_COMPLEX', `${name}: ${message}`, { file: name, limit: 'memory', problems: [problem(message)] });
  }
  return new FieldlineError('INTERNAL', `the profile loader failed: ${err.message}`, {}, { cause: err });
}

function problem(message: string): ProfileProblem {
  return { path: '', line: 1, column: 1, message };
}

/** loadProfile through the worker: the profile, PROFILE_INVALID with its problems, or the refusal. */
export async function loadProfileIsolated(loader: ProfileLoader, path: string, options: ParseOptions = {}): Promise<LoadedProfile> {
  return toLoaded(await loader.analyseFile(path, options), path);
}

/** lintProfile through the worker. */
export async function lintProfileIsolated(loader: ProfileLoader, path: string, options: ParseOptions = {}): Promise<ProfileProblem[]> {
  return (await loader.analyseFile(path, options)).problems;
}

/** Runs `use` with a loader of its own, closed afterwards (one-shot callers: the CLI). */
export async function withProfileLoader<T>(use: (loader: ProfileLoader) => Promise<T>, options: ProfileLoaderOptions = {}): Promise<T> {
  const loader = createProfileLoader(options);
  try {
    return await use(loader);
  } finally {
    await loader.close();
  }
}
