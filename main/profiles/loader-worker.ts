/**
 * The worker side of isolated-loader.ts: one job at a time — read and analyse a profile file, or analyse content
 * handed over — and the answer posted back. Refusals and problems travel as data; anything else thrown is a bug in
 * the loader and travels as one, so the station reports it (INTERNAL) instead of losing the worker silently.
 */
import { parentPort } from 'node:worker_threads';
import { isFieldlineError } from '../errors';
import { analyseProfile, readProfileFile } from './load';
import type { JobReply, JobRequest } from './loader-protocol';

function run(request: JobRequest): JobReply {
  const { id, job } = request;
  try {
    const bytes = job.kind === 'file' ? readProfileFile(job.path) : job.bytes;
    const { text: _text, bytes: _bytes, ...analysis } = analyseProfile(bytes, job.kind === 'file' ? job.path : job.sourceName, job.options);
    // Content came from the caller, who still has it; a file's bytes go back so the caller sees what was analysed.
    return job.kind === 'file' ? { id, ok: true, analysis, bytes } : { id, ok: true, analysis };
  } catch (err) {
    if (isFieldlineError(err)) return { id, ok: false, error: { code: err.code, message: err.message, details: err.details } };
    return { id, ok: false, bug: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
}

/**
 * Run once before the worker says it is ready: the first analysis compiles yaml, zod and the checks (hundreds of
 * ms), which must not count against the first real job's time limit.
 */
const WARM_UP = `apiVersion: fieldline/v1
name: warm-up
version: 1.0.0
variables: {v: {default: a, pattern: "[a-z]+"}}
identity: {subject: "CN={{ device.serial }}"}
settings: {a/b: {type: integer, encoding: u8, value: 1}, a/s: {type: string, value: "{{ vars.v }}"}}
diagnostics: [{type: shell-number, name: t, command: [diag, temp], pattern: "t: ([0-9]+)"}]
`;

const port = parentPort;
if (port) {
  analyseProfile(WARM_UP, 'warm-up.yaml', { checkFiles: false });
  port.on('message', (request: JobRequest) => {
    const reply = run(request);
    // The file's buffer is moved, not copied: it is the worker's own (allocated unpooled by regular-file.ts).
    port.postMessage(reply, 'bytes' in reply && reply.bytes ? [reply.bytes.buffer as ArrayBuffer] : []);
  });
  port.postMessage('ready');
}
