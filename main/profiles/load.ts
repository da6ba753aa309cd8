/**
 * Loading a profile: YAML → schema → semantic checks, reporting every problem at once with its path, line and
 * column, so an author fixes a file in one pass rather than one error per run. The SHA-256 is over the exact file
 * bytes — the same bytes a signature covers and the run record names.
 *
 * A profile may come from anyone who can reach a station, so loading is bounded in every dimension (limits.ts):
 * a file that is not regular or is too large, YAML that would build too many nodes, nest too deep or expand its
 * aliases too far, and an image that is not a regular file or is too large are refused — a FieldlineError with a
 * FILE_* or PROFILE_TOO_COMPLEX code, carrying the position in `details.problems` when one place is to blame —
 * rather than loaded with problems: nothing about such a file can be trusted enough to list its problems. The
 * station runs all of this in a worker with a time and memory limit on top (isolated-loader.ts).
 */
import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { FieldlineError, isFieldlineError } from '../errors';
import type { ErrorCode } from '../contract/errors';
import { semanticProblems } from './checks';
import { issuesToProblems, type ProfileProblem } from './issues';
import { LOAD_LIMITS } from './limits';
import { readRegularFileSync } from './regular-file';
import { profileSchema, type Profile } from './schema';
import { ProfileSource } from './source-map';
import { prescan } from './structure';

export type { ProfileProblem } from './issues';

export interface LoadedProfile {
  profile: Profile;
  /** SHA-256 (hex) of the file's bytes. */
  sha256: string;
  /** Absolute path of the file (or the source name given to parseProfile, resolved). */
  path: string;
  text: string;
  bytes: Uint8Array;
}

export interface ParseOptions {
  /** Folder for relative paths (firmware.image); defaults to the folder of `sourceName`. */
  baseDir?: string;
  /** Check that firmware.image exists and matches its sha256 (default true). */
  checkFiles?: boolean;
  /** Largest firmware image hashed (default 32 MiB); a larger one refuses the profile with FILE_TOO_LARGE. */
  maxImageBytes?: number;
}

/** What one look at a profile found: its problems, the profile when it has none, and the name it gives itself. */
export interface ProfileAnalysis {
  problems: ProfileProblem[];
  profile?: Profile;
  /** `name` and `version` as written (empty when absent), for lists that show broken profiles too. */
  identity: { name: string; version: string };
  /** firmware.image as written, when the checks hashed it: what a cached analysis depends on besides the file. */
  firmwareImage?: string;
  bytes: Uint8Array;
  text: string;
  path: string;
}

/** The problems of a profile, sorted by position; empty when it is valid. Throws only refusals (see above). */
export function profileProblems(content: string | Uint8Array, sourceName: string, options: ParseOptions = {}): ProfileProblem[] {
  return analyseProfile(content, sourceName, options).problems;
}

/** Parses and checks a profile; throws PROFILE_INVALID carrying every problem in `details.problems`. */
export function parseProfile(content: string | Uint8Array, sourceName: string, options: ParseOptions = {}): LoadedProfile {
  return toLoaded(analyseProfile(content, sourceName, options), sourceName);
}

/** The loaded profile of an analysis, or PROFILE_INVALID with its problems. */
export function toLoaded(analysis: ProfileAnalysis, sourceName: string): LoadedProfile {
  const { problems, profile, bytes, text, path } = analysis;
  if (problems.length > 0 || !profile) throw invalidProfile(sourceName, problems);
  return { profile, sha256: createHash('sha256').update(bytes).digest('hex'), path, text, bytes };
}

export async function loadProfile(path: string, options: ParseOptions = {}): Promise<LoadedProfile> {
  return parseProfile(readProfileFile(path), path, options);
}

/** Every problem of the profile file; a file that cannot be read or is refused is thrown (FILE_*, PROFILE_TOO_COMPLEX). */
export async function lintProfile(path: string, options: ParseOptions = {}): Promise<ProfileProblem[]> {
  return profileProblems(readProfileFile(path), path, options);
}

/** `file:line:col path: message`, the form editors and CI logs link to. */
export function formatProblem(file: string, p: ProfileProblem): string {
  return `${file}:${p.line}:${p.column} ${p.path === '' ? '(file)' : p.path}: ${p.message}`;
}

/** The message stays one line; the CLI prints `details.problems` under it, one per line. */
export function invalidProfile(file: string, problems: ProfileProblem[]): FieldlineError {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return new FieldlineError('PROFILE_INVALID', `${file}: ${count}`, { file, problems });
}

/** The profile file's bytes: a regular file of at most 1 MiB (regular-file.ts), or a FILE_* refusal. */
export function readProfileFile(path: string): Uint8Array {
  return readRegularFileSync(path, { maxBytes: LOAD_LIMITS.profileBytes, what: 'profile' });
}

/** True for the codes loading refuses a profile with (as opposed to PROFILE_INVALID, a profile with problems). */
export function isRefusal(err: unknown): err is FieldlineError {
  return isFieldlineError(err) && REFUSALS.has(err.code);
}
const REFUSALS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'FILE_NOT_FOUND',
  'FILE_NOT_REGULAR',
  'FILE_TOO_LARGE',
  'FILE_UNREADABLE',
  'PROFILE_TOO_COMPLEX',
]);

function refuse(code: ErrorCode, file: string, message: string, at?: { line: number; column: number; path?: string }): FieldlineError {
  const problems: ProfileProblem[] = at ? [{ path: at.path ?? '', line: at.line, column: at.column, message }] : [];
  return new FieldlineError(code, `${file}: ${message}`, { file, problems });
}

export function analyseProfile(content: string | Uint8Array, sourceName: string, options: ParseOptions = {}): ProfileAnalysis {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  const path = resolve(sourceName);
  const none = { name: '', version: '' };
  if (bytes.length > LOAD_LIMITS.profileBytes) throw refuse('FILE_TOO_LARGE', sourceName, 'is larger than 1 MiB, the most a profile may be');
  let text: string;
  try {
    // Fatal: a profile with broken UTF-8 would otherwise be checked as something other than what was signed.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { problems: [{ path: '', line: 1, column: 1, message: 'the file is not UTF-8 text' }], identity: none, bytes, text: '', path };
  }
  const excess = prescan(text);
  if (excess) throw refuse('PROFILE_TOO_COMPLEX', sourceName, excess.message);
  const source = parseSource(text, sourceName);
  const identity = identityOf(source);
  const problems: ProfileProblem[] = source.syntaxProblems().map((e) => ({ path: '', line: e.line, column: e.column, message: e.message }));
  // After a syntax error the tree is a guess; checking it would bury the real error under invented ones.
  if (source.hasStructuralErrors()) return { problems: bounded(problems), identity, bytes, text, path };

  const raw = toJS(source, sourceName);
  const parsed = profileSchema.safeParse(raw);
  if (!parsed.success) problems.push(...issuesToProblems(parsed.error.issues, source, raw));
  problems.push(...semantic(raw, source, sourceName, path, options));
  const image = (options.checkFiles ?? true) ? imageOf(raw) : undefined;
  const result = { problems: bounded(problems), identity, bytes, text, path, ...(image !== undefined ? { firmwareImage: image } : {}) };
  return parsed.success ? { ...result, profile: parsed.data } : result;
}

/** The parsed source, or PROFILE_TOO_COMPLEX when its size, nesting or aliases pass a limit. */
function parseSource(text: string, sourceName: string): ProfileSource {
  let source: ProfileSource;
  try {
    source = new ProfileSource(text);
  } catch (err) {
    // yaml catches its own stack overflows (RESOURCE_EXHAUSTION below); this is the one it might not.
    if (err instanceof RangeError) throw refuse('PROFILE_TOO_COMPLEX', sourceName, 'is nested too deeply to parse');
    throw err;
  }
  const excess = source.measured.excess;
  if (excess) {
    const at = excess.offset === undefined ? undefined : source.position(excess.offset);
    throw refuse('PROFILE_TOO_COMPLEX', sourceName, excess.message, at);
  }
  const exhausted = source.doc.errors.find((e) => e.code === 'RESOURCE_EXHAUSTION');
  if (exhausted) throw refuse('PROFILE_TOO_COMPLEX', sourceName, 'is nested too deeply to parse', source.position(exhausted.pos[0]));
  return source;
}

/** The document as data; aliases that would expand past yaml's limit (a "billion laughs") refuse it. */
function toJS(source: ProfileSource, sourceName: string): unknown {
  try {
    return source.toJS();
  } catch (err) {
    if (err instanceof ReferenceError) {
      throw refuse('PROFILE_TOO_COMPLEX', sourceName, `has aliases that expand to more than ${LOAD_LIMITS.aliases} copies of what they name`);
    }
    throw err;
  }
}

/** The semantic checks; an image they refuse to read refuses the profile, named in the message. */
function semantic(raw: unknown, source: ProfileSource, sourceName: string, path: string, options: ParseOptions): ProfileProblem[] {
  try {
    return semanticProblems(raw, source, {
      baseDir: options.baseDir ?? dirname(path),
      checkFiles: options.checkFiles ?? true,
      maxImageBytes: options.maxImageBytes ?? LOAD_LIMITS.imageBytes,
    });
  } catch (err) {
    if (!isFieldlineError(err)) throw err;
    throw new FieldlineError(err.code, `${sourceName}: ${err.message}`, { file: sourceName, ...err.details }, { cause: err });
  }
}

function imageOf(raw: unknown): string | undefined {
  const firmware = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>).firmware : undefined;
  const image = firmware !== null && typeof firmware === 'object' ? (firmware as Record<string, unknown>).image : undefined;
  return typeof image === 'string' && image !== '' ? image : undefined;
}

/** name and version from the root mapping, as written, cut to what a list shows. */
function identityOf(source: ProfileSource): { name: string; version: string } {
  const field = (key: string, max: number): string => {
    const value: unknown = source.doc.get(key);
    return typeof value === 'string' ? value.slice(0, max) : '';
  };
  try {
    return { name: field('name', 200), version: field('version', 64) };
  } catch {
    // A root that is not a mapping (a list, a scalar) has no name; its problems say why.
    return { name: '', version: '' };
  }
}

/**
 * Sorted by position, each cut to what a person reads and the contract carries, and at most LOAD_LIMITS.problems
 * of them: past that, one last problem says how many more there are.
 */
function bounded(problems: ProfileProblem[]): ProfileProblem[] {
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  const cut = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
  const out = problems
    .slice(0, LOAD_LIMITS.problems)
    .map((p) => ({ ...p, path: cut(p.path, LOAD_LIMITS.pathChars), message: cut(p.message, LOAD_LIMITS.messageChars) }));
  if (problems.length > LOAD_LIMITS.problems) {
    const last = out.pop() as ProfileProblem;
    out.push({ path: '', line: last.line, column: last.column, message: `and ${problems.length - out.length} more problems (fix these first)` });
  }
  return out;
}
