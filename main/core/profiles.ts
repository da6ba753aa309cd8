/**
 * The profiles a station offers: those imported into `<dataDir>/profiles/` and the examples shipped in
 * resources/profiles/. The renderer names a profile by the path profiles:list gave it, and that path is only a
 * key: it is resolved to one of the files in these two folders or refused (PROFILE_NOT_FOUND), so no call can
 * make the Node side read any other file. Imports take content, never a path, and choose the file name here.
 */
import { createHash, randomUUID } from 'node:crypto';
import { chmod, link, mkdir, readdir, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { LIMITS } from '../contract/bounds';
import { describeError } from '../contract/errors';
import type { ProfileDetails, ProfileListItem, SignatureState } from '../contract/profiles';
import { FieldlineError } from '../errors';
import { createProfileLoader, type ProfileLoader } from '../profiles/isolated-loader';
import { isRefusal, toLoaded, type LoadedProfile, type ProfileAnalysis, type ProfileProblem } from '../profiles/load';
import { LOAD_LIMITS } from '../profiles/limits';
import { readRegularFile } from '../profiles/regular-file';
import { checkProfileTrust, loadTrustedKeys, readSignatureText, verifyBytes, type SignatureStatus } from '../profiles/signature';
import { releaseArtifactsDir, usableReleases } from '../sync/release-store';
import { gateForRun, type ReleaseGate, type ReleaseVerdict } from './release-gate';
import { writePrivateFile } from './secrets';
import { summarizeProfile } from './profile-summary';

export const PROFILES_FOLDER = 'profiles';
const PROFILE_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.ya?ml$/;
/** A station with more is misconfigured; the list stays bounded either way. */
const MAX_PROFILES = 1000;
/** Imports in progress are written under this prefix, which PROFILE_FILE never matches (it starts with a dot). */
const IMPORT_PREFIX = '.import-';
/** An import file this old was left by a station that died mid-import. */
const STALE_IMPORT_MS = 10 * 60 * 1000;

export interface ProfileLibraryOptions {
  dataDir: string;
  examplesDir?: string;
  /** Refuse unsigned profiles (and those of unknown publishers) when provisioning. */
  requireSignature?: boolean;
  /** The worker that loads profiles (default: one of its own, started at once and closed by close()). */
  loader?: ProfileLoader;
}

export interface ProfileLibrary {
  list(): Promise<ProfileListItem[]>;
  get(path: string): Promise<ProfileDetails>;
  /** The profile for a run or a drift check: valid, and accepted by the station's signature policy. */
  load(path: string): Promise<LoadedProfile>;
  /** The profile for a run: load(), then the release gate (main/core/release-gate.ts); PROFILE_UNRELEASED refused. */
  loadForRun(path: string, gate: ReleaseGate): Promise<ProfileForRun>;
  import(input: { fileName: string; content: string; signature?: string; replace?: boolean }): Promise<ProfileDetails>;
  close(): Promise<void>;
}

/** A profile a run may use, and what the release gate made of it (the caller audits an unreleased one). */
export interface ProfileForRun extends ReleaseVerdict {
  profile: LoadedProfile;
}

interface Folder {
  dir: string;
  source: ProfileListItem['source'];
}

/** What loading a file found, without its bytes: a profile with its problems, or the refusal. */
type Outcome = { analysis: Omit<ProfileAnalysis, 'bytes' | 'text'> } | { refusal: FieldlineError };

const SIGNATURE_STATE: Record<SignatureStatus, SignatureState> = {
  trusted: 'trusted',
  unsigned: 'unsigned',
  'unknown-signer': 'untrusted',
  'bad-signature': 'invalid',
  malformed: 'invalid',
};

const PROFILE_CAP = { maxBytes: LOAD_LIMITS.profileBytes, what: 'profile' };

/** A file name the renderer proposed, made safe: its last path part, harmless characters, a .yaml ending. */
export function sanitizeFileName(proposed: string): string {
  const last = proposed.split(/[\\/]/).pop() ?? '';
  let name = last.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  if (!/\.ya?ml$/i.test(name)) name = `${name.replace(/\.+$/, '')}.yaml`;
  name = name.replace(/\.(ya?ml)$/i, (_m, ext: string) => `.${ext.toLowerCase()}`);
  if (name.length > 100) name = `${name.slice(0, 95)}.yaml`;
  return PROFILE_FILE.test(name) ? name : 'profile.yaml';
}

/** `name` in the folder if it is a regular file there — a symlink to a file elsewhere is not. */
async function plainFileIn(folder: Folder, name: string): Promise<{ path: string; size: number } | undefined> {
  const path = join(folder.dir, name);
  try {
    const real = await realpath(path);
    const info = await stat(real);
    return dirname(real) === folder.dir && info.isFile() ? { path, size: info.size } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A refusal as the one problem a list shows for the file: the code's words, then the loader's reason without the
 * file name it starts with (the list names the file already).
 */
function refusalProblem(err: FieldlineError, file: string): ProfileProblem {
  const reason = err.message.startsWith(`${file}: `) ? err.message.slice(file.length + 2) : err.message;
  const problems = Array.isArray(err.details.problems) ? (err.details.problems as ProfileProblem[]) : [];
  const at = problems[0];
  const message = `${describeError(err.code).message}: ${reason}`.slice(0, LIMITS.text);
  return { path: at?.path ?? '', line: at?.line ?? 1, column: at?.column ?? 1, message };
}

export function createProfileLibrary(options: ProfileLibraryOptions): ProfileLibrary {
  const dataFolder = join(options.dataDir, PROFILES_FOLDER);
  const folders: Folder[] = [{ dir: dataFolder, source: 'data' }];
  if (options.examplesDir) folders.push({ dir: resolve(options.examplesDir), source: 'example' });
  // The profiles `fieldline sync` pulled from the followed channel (the folder holds firmware too, never listed).
  folders.push({ dir: releaseArtifactsDir(options.dataDir), source: 'release' });
  // Prewarmed: the first import from a browser should not wait for the worker to start.
  const loader = options.loader ?? createProfileLoader({ prewarm: true });
  const cache = createOutcomeCache();

  const realFolders = async (): Promise<Folder[]> => {
    await mkdir(dataFolder, { recursive: true, mode: 0o700 });
    const out: Folder[] = [];
    for (const f of folders) {
      try {
        out.push({ ...f, dir: await realpath(f.dir) });
      } catch {
        // A missing examples folder (a packaged app without them) just offers none.
      }
    }
    return out;
  };

  /** The file behind a path from the renderer, or PROFILE_NOT_FOUND: only plain files directly in our folders. */
  const resolveKey = async (key: string): Promise<{ file: string; folder: Folder }> => {
    const name = basename(key);
    if (!PROFILE_FILE.test(name)) throw new FieldlineError('PROFILE_NOT_FOUND', key);
    const realDir = await realpath(dirname(resolve(key))).catch(() => undefined);
    const folder = (await realFolders()).find((f) => f.dir === realDir);
    if (!folder) throw new FieldlineError('PROFILE_NOT_FOUND', key);
    const file = await plainFileIn(folder, name);
    if (!file) throw new FieldlineError('PROFILE_NOT_FOUND', key);
    return { file: file.path, folder };
  };

  /**
   * Loads the bytes in the worker, or takes the answer from the cache: keyed by the bytes' hash, so a list of
   * unchanged files costs a read and a hash each, and a hostile file in the folder is analysed once, not per call.
   */
  const outcomeOf = async (bytes: Uint8Array, sha256: string, file: string): Promise<Outcome> => {
    const cached = await cache.get(file, sha256);
    if (cached) return cached;
    let outcome: Outcome;
    try {
      const { bytes: _bytes, text: _text, ...analysis } = await loader.analyseContent(bytes, file);
      outcome = { analysis };
    } catch (err) {
      if (!isRefusal(err)) throw err;
      outcome = { refusal: err };
    }
    await cache.set(file, sha256, outcome);
    return outcome;
  };

  const describe = async (file: string, folder: Folder, keys: Awaited<ReturnType<typeof loadTrustedKeys>>, releases: ChannelReleases): Promise<ProfileDetails> => {
    const base = { path: file, fileName: basename(file), source: folder.source };
    let bytes: Uint8Array;
    try {
      bytes = await readRegularFile(file, PROFILE_CAP);
    } catch (err) {
      if (!isRefusal(err)) throw err;
      // Too large, or no longer a regular file: listed as what it is, never read.
      const problem = refusalProblem(err, file);
      const sha256 = createHash('sha256').digest('hex');
      return { ...base, name: '', version: '', signature: 'unsigned', problems: 1, text: '', problemList: [problem], sha256 };
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const release = releaseStateOf(releases, sha256);
    const signature = SIGNATURE_STATE[verifyBytes(bytes, await readSignatureText(file), keys).status];
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes).slice(0, LIMITS.profileChars);
    const outcome = await outcomeOf(bytes, sha256, file);
    if ('refusal' in outcome) {
      return { ...base, name: '', version: '', signature, problems: 1, text, problemList: [refusalProblem(outcome.refusal, file)], sha256, ...release };
    }
    const { analysis } = outcome;
    return {
      ...base,
      ...analysis.identity,
      signature,
      problems: analysis.problems.length,
      text,
      problemList: analysis.problems.slice(0, LIMITS.list),
      ...(analysis.profile && analysis.problems.length === 0 ? { profile: summarizeProfile(analysis.profile) } : {}),
      sha256,
      ...release,
    };
  };

  const list = async (): Promise<ProfileListItem[]> => {
    const keys = await loadTrustedKeys(options.dataDir);
    const releases = await usableReleases(options.dataDir);
    const items: ProfileListItem[] = [];
    for (const folder of await realFolders()) {
      const names = await readdir(folder.dir);
      if (folder.source === 'data') await sweepStaleImports(folder.dir, names);
      for (const name of names.filter((n) => PROFILE_FILE.test(n)).sort()) {
        if (items.length >= MAX_PROFILES) break;
        const file = await plainFileIn(folder, name);
        if (!file) continue;
        const { text: _text, problemList: _problems, profile: _profile, sha256: _sha, ...item } = await describe(file.path, folder, keys, releases);
        items.push(item);
      }
    }
    cache.keepOnly(new Set(items.map((i) => i.path)));
    return items;
  };

  /** Valid, or its refusal; not yet judged by the signature policy. */
  const loadValid = async (key: string): Promise<LoadedProfile> => {
    const { file } = await resolveKey(key);
    const bytes = await readRegularFile(file, PROFILE_CAP);
    const outcome = await outcomeOf(bytes, createHash('sha256').update(bytes).digest('hex'), file);
    if ('refusal' in outcome) throw outcome.refusal;
    // A copy: a run must not be able to change the cached profile the next run gets.
    const analysis = structuredClone(outcome.analysis);
    return toLoaded({ ...analysis, bytes, text: new TextDecoder().decode(bytes) }, file);
  };
  const load = async (key: string): Promise<LoadedProfile> => {
    const loaded = await loadValid(key);
    await checkProfileTrust(loaded, { dataDir: options.dataDir, required: options.requireSignature ?? false });
    return loaded;
  };

  return {
    list,
    load,
    async loadForRun(key, gate) {
      const { trusted: _trusted, ...forRun } = await gateForRun(await loadValid(key), options.dataDir, { ...gate, requireSignature: options.requireSignature ?? false });
      return forRun;
    },
    async get(key) {
      const { file, folder } = await resolveKey(key);
      return describe(file, folder, await loadTrustedKeys(options.dataDir), await usableReleases(options.dataDir));
    },
    async import(input) {
      const bytes = Buffer.from(input.content, 'utf8');
      if (bytes.length > LIMITS.profileChars) throw new FieldlineError('INVALID_ARGUMENT', 'a profile may be at most 1 MiB');
      const [folder] = await realFolders();
      if (!folder) throw new FieldlineError('STORE_UNAVAILABLE', `cannot create ${dataFolder}`);
      const file = join(folder.dir, sanitizeFileName(input.fileName));
      const exists = (await stat(file).catch(() => undefined)) !== undefined;
      if (exists && !input.replace) throw new FieldlineError('PROFILE_EXISTS', basename(file));
      // Under a temporary name first, and under its own name only once it loaded: a profile the loader refuses
      // (or a write that fails half-way) leaves nothing in the folder for the list to trip over.
      const temp = join(folder.dir, `${IMPORT_PREFIX}${randomUUID()}.tmp`);
      try {
        await writeFile(temp, bytes, { mode: 0o600, flag: 'wx' });
        if (process.platform !== 'win32') await chmod(temp, 0o600);
        const outcome = await outcomeOf(bytes, createHash('sha256').update(bytes).digest('hex'), file);
        if ('refusal' in outcome) throw outcome.refusal;
        if (input.replace) {
          // The signature first, so there is no moment where the new file sits beside the old file's signature.
          await writeSignature(file, input.signature);
          await rename(temp, file);
        } else {
          // link() refuses to replace: a second import of the same name that raced this one past the check above
          // gets PROFILE_EXISTS rather than overwriting it. Its signature follows: unsigned until then is safe.
          await link(temp, file).catch((err: NodeJS.ErrnoException) => {
            throw err.code === 'EEXIST' ? new FieldlineError('PROFILE_EXISTS', basename(file)) : err;
          });
          await writeSignature(file, input.signature);
        }
      } finally {
        await rm(temp, { force: true });
      }
      return describe(file, folder, await loadTrustedKeys(options.dataDir), await usableReleases(options.dataDir));
    },
    close: () => (options.loader ? Promise.resolve() : loader.close()),
  };
}

type ChannelReleases = Awaited<ReturnType<typeof usableReleases>>;

/** What a list shows of a file on a station that follows a channel: a release of it (by its bytes) or not. */
function releaseStateOf({ channel, releases }: ChannelReleases, sha256: string): { release?: ProfileListItem['release'] } {
  if (channel === undefined) return {};
  const match = releases.find((r) => r.manifest.kind === 'profile' && r.manifest.sha256 === sha256);
  return { release: match ? { state: 'released', channel, version: match.manifest.version } : { state: 'unreleased', channel } };
}

async function writeSignature(file: string, signature: string | undefined): Promise<void> {
  if (signature !== undefined) await writePrivateFile(`${file}.sig`, signature);
  else await rm(`${file}.sig`, { force: true });
}

/** Removes import files a station that died mid-import left behind (never ones that may still be in use). */
async function sweepStaleImports(dir: string, names: readonly string[]): Promise<void> {
  for (const name of names.filter((n) => n.startsWith(IMPORT_PREFIX))) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > STALE_IMPORT_MS) await rm(path, { force: true });
  }
}

interface CacheEntry {
  sha256: string;
  outcome: Outcome;
  /** The firmware image the analysis hashed, and how it was then: a changed image changes the problems. */
  image?: { path: string; stamp: string };
}

/** A file's identity and state as stat sees it; "missing" when it is gone. */
async function stampOf(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  return info ? `${info.dev}:${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}` : 'missing';
}

/** The image path an analysis depends on: firmware.image, resolved against the profile's folder. */
function imageOf(outcome: Outcome, file: string): string | undefined {
  if (!('analysis' in outcome)) return undefined;
  const image = outcome.analysis.firmwareImage;
  return image === undefined ? undefined : resolve(dirname(file), image);
}

/** Analyses by file and content hash, at most one entry per listed file. */
function createOutcomeCache(): {
  get(file: string, sha256: string): Promise<Outcome | undefined>;
  set(file: string, sha256: string, outcome: Outcome): Promise<void>;
  keepOnly(files: ReadonlySet<string>): void;
} {
  const entries = new Map<string, CacheEntry>();
  return {
    async get(file, sha256) {
      const entry = entries.get(file);
      if (!entry || entry.sha256 !== sha256) return undefined;
      if (entry.image && (await stampOf(entry.image.path)) !== entry.image.stamp) return undefined;
      return entry.outcome;
    },
    async set(file, sha256, outcome) {
      const imagePath = imageOf(outcome, file);
      entries.delete(file);
      entries.set(file, { sha256, outcome, ...(imagePath ? { image: { path: imagePath, stamp: await stampOf(imagePath) } } : {}) });
      // Bounded even when files come and go between lists: the oldest entries go first.
      while (entries.size > MAX_PROFILES * 2) entries.delete(entries.keys().next().value as string);
    },
    keepOnly(files) {
      for (const file of entries.keys()) if (!files.has(file)) entries.delete(file);
    },
  };
}
