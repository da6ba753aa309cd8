/** The messages between isolated-loader.ts and its worker (loader-worker.ts): one request, one reply, by id. */
import type { ErrorCode } from '../contract/errors';
import type { ParseOptions, ProfileAnalysis } from './load';

export type LoadJob =
  /** Read the file (a regular file within the cap) and analyse it. */
  | { kind: 'file'; path: string; options: ParseOptions }
  /** Analyse bytes the caller has; `sourceName` places it (messages, relative image paths). */
  | { kind: 'content'; bytes: Uint8Array; sourceName: string; options: ParseOptions };

export interface JobRequest {
  id: number;
  job: LoadJob;
}

/** An analysis without the text and bytes, which the caller has or gets back once as `bytes`. */
export type WireAnalysis = Omit<ProfileAnalysis, 'text' | 'bytes'>;

export type JobReply =
  | { id: number; ok: true; analysis: WireAnalysis; bytes?: Uint8Array }
  | { id: number; ok: false; error: { code: ErrorCode; message: string; details: Record<string, unknown> } }
  /** Something other than a FieldlineError was thrown: a bug, with its stack. */
  | { id: number; ok: false; bug: string };
