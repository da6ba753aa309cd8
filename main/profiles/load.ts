/**
 * Loading a profile: YAML → schema → semantic checks, reporting every problem at once with its path, line and
 * column, so an author fixes a file in one pass rather than one error per run. The SHA-256 is over the exact file
 * bytes — the same bytes a signature covers and the run record names.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { FieldlineError } from '../errors';
import { semanticProblems } from './checks';
import { issuesToProblems, type ProfileProblem } from './issues';
import { profileSchema, type Profile } from './schema';
import { ProfileSource } from './source-map';

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
}

/** The problems of a profile, sorted by position; empty when it is valid. Never throws for a bad profile. */
export function profileProblems(content: string | Uint8Array, sourceName: string, options: ParseOptions = {}): ProfileProblem[] {
  return analyse(content, sourceName, options).problems;
}

/** Parses and checks a profile; throws PROFILE_INVALID carrying every problem in `details.problems`. */
export function parseProfile(content: string | Uint8Array, sourceName: string, options: ParseOptions = {}): LoadedProfile {
  const { problems, profile, bytes, text, path } = analyse(content, sourceName, options);
  if (problems.length > 0 || !profile) throw invalidProfile(sourceName, problems);
  return { profile, sha256: createHash('sha256').update(bytes).digest('hex'), path, text, bytes };
}

export async function loadProfile(path: string, options: ParseOptions = {}): Promise<LoadedProfile> {
  return parseProfile(await readProfileFile(path), path, options);
}

/** Every problem of the profile file (an unreadable file is still thrown, as FILE_NOT_FOUND). */
export async function lintProfile(path: string, options: ParseOptions = {}): Promise<ProfileProblem[]> {
  return profileProblems(await readProfileFile(path), path, options);
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

async function readProfileFile(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR') throw new FieldlineError('FILE_NOT_FOUND', path, {}, { cause: err });
    throw err;
  }
}

interface Analysis {
  problems: ProfileProblem[];
  profile?: Profile;
  bytes: Uint8Array;
  text: string;
  path: string;
}

function analyse(content: string | Uint8Array, sourceName: string, options: ParseOptions): Analysis {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  const path = resolve(sourceName);
  let text: string;
  try {
    // Fatal: a profile with broken UTF-8 would otherwise be checked as something other than what was signed.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { problems: [{ path: '', line: 1, column: 1, message: 'the file is not UTF-8 text' }], bytes, text: '', path };
  }
  const source = new ProfileSource(text);
  const problems: ProfileProblem[] = source.syntaxProblems().map((e) => ({ path: '', line: e.line, column: e.column, message: e.message }));
  // After a syntax error the tree is a guess; checking it would bury the real error under invented ones.
  if (source.hasStructuralErrors()) return { problems, bytes, text, path };

  const raw = source.toJS();
  const parsed = profileSchema.safeParse(raw);
  if (!parsed.success) problems.push(...issuesToProblems(parsed.error.issues, source, raw));
  problems.push(
    ...semanticProblems(raw, source, { baseDir: options.baseDir ?? dirname(path), checkFiles: options.checkFiles ?? true }),
  );
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  return parsed.success ? { problems, profile: parsed.data, bytes, text, path } : { problems, bytes, text, path };
}
