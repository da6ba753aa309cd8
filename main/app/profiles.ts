/**
 * The profiles a station offers: those imported into `<dataDir>/profiles/` and the examples shipped in
 * resources/profiles/. The renderer names a profile by the path profiles:list gave it, and that path is only a
 * key: it is resolved to one of the files in these two folders or refused (PROFILE_NOT_FOUND), so no call can
 * make the Node side read any other file. Imports take content, never a path, and choose the file name here.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, realpath, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { LIMITS } from '../contract/bounds';
import type { ProfileDetails, ProfileListItem, SignatureState } from '../contract/profiles';
import { FieldlineError } from '../errors';
import { parseProfile, profileProblems, type LoadedProfile } from '../profiles/load';
import { checkProfileTrust, loadTrustedKeys, readSignatureText, verifyBytes, type SignatureStatus } from '../profiles/signature';
import { writePrivateFile } from './secrets';
import { summarizeProfile } from './profile-summary';

export const PROFILES_FOLDER = 'profiles';
const PROFILE_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.ya?ml$/;
/** A station with more is misconfigured; the list stays bounded either way. */
const MAX_PROFILES = 1000;

export interface ProfileLibraryOptions {
  dataDir: string;
  examplesDir?: string;
  /** Refuse unsigned profiles (and those of unknown publishers) when provisioning. */
  requireSignature?: boolean;
}

export interface ProfileLibrary {
  list(): Promise<ProfileListItem[]>;
  get(path: string): Promise<ProfileDetails>;
  /** The profile for a run or a drift check: valid, and accepted by the station's signature policy. */
  load(path: string): Promise<LoadedProfile>;
  import(input: { fileName: string; content: string; signature?: string; replace?: boolean }): Promise<ProfileDetails>;
}

interface Folder {
  dir: string;
  source: 'data' | 'example';
}

const SIGNATURE_STATE: Record<SignatureStatus, SignatureState> = {
  trusted: 'trusted',
  unsigned: 'unsigned',
  'unknown-signer': 'untrusted',
  'bad-signature': 'invalid',
  malformed: 'invalid',
};

/** A file name the renderer proposed, made safe: its last path part, harmless characters, a .yaml ending. */
export function sanitizeFileName(proposed: string): string {
  const last = proposed.split(/[\\/]/).pop() ?? '';
  let name = last.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  if (!/\.ya?ml$/i.test(name)) name = `${name.replace(/\.+$/, '')}.yaml`;
  name = name.replace(/\.(ya?ml)$/i, (_m, ext: string) => `.${ext.toLowerCase()}`);
  if (name.length > 100) name = `${name.slice(0, 95)}.yaml`;
  return PROFILE_FILE.test(name) ? name : 'profile.yaml';
}

/** name and version of a file too broken to parse as a profile, for the list; empty when unknown. */
function bestEffortIdentity(text: string): { name: string; version: string } {
  try {
    const raw: unknown = parseYaml(text);
    if (raw && typeof raw === 'object') {
      const { name, version } = raw as Record<string, unknown>;
      return { name: typeof name === 'string' ? name.slice(0, LIMITS.name) : '', version: typeof version === 'string' ? version.slice(0, 64) : '' };
    }
  } catch {
    // Unparseable YAML: the problems say why.
  }
  return { name: '', version: '' };
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

export function createProfileLibrary(options: ProfileLibraryOptions): ProfileLibrary {
  const dataFolder = join(options.dataDir, PROFILES_FOLDER);
  const folders: Folder[] = [{ dir: dataFolder, source: 'data' }];
  if (options.examplesDir) folders.push({ dir: resolve(options.examplesDir), source: 'example' });

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
    if (file.size > LIMITS.profileChars) throw new FieldlineError('PROFILE_INVALID', `${name} is larger than 1 MiB`);
    return { file: file.path, folder };
  };

  const describe = async (file: string, folder: Folder, keys: Awaited<ReturnType<typeof loadTrustedKeys>>): Promise<ProfileDetails> => {
    const bytes = new Uint8Array(await readFile(file));
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    const problemList = profileProblems(bytes, file);
    const signature = SIGNATURE_STATE[verifyBytes(bytes, await readSignatureText(file), keys).status];
    let summary: ProfileDetails['profile'];
    let identity = bestEffortIdentity(text);
    if (problemList.length === 0) {
      const loaded = parseProfile(bytes, file);
      summary = summarizeProfile(loaded.profile);
      identity = { name: loaded.profile.name, version: loaded.profile.version };
    }
    return {
      path: file,
      fileName: basename(file),
      source: folder.source,
      ...identity,
      signature,
      problems: problemList.length,
      text: text.slice(0, LIMITS.profileChars),
      problemList: problemList.slice(0, LIMITS.list),
      ...(summary ? { profile: summary } : {}),
      sha256: createHash('sha256').update(bytes).digest('hex'),
    };
  };

  const list = async (): Promise<ProfileListItem[]> => {
    const keys = await loadTrustedKeys(options.dataDir);
    const items: ProfileListItem[] = [];
    for (const folder of await realFolders()) {
      const names = (await readdir(folder.dir)).filter((n) => PROFILE_FILE.test(n)).sort();
      for (const name of names) {
        if (items.length >= MAX_PROFILES) break;
        const file = await plainFileIn(folder, name);
        if (!file || file.size > LIMITS.profileChars) continue;
        const { text: _text, problemList: _problems, profile: _profile, sha256: _sha, ...item } = await describe(file.path, folder, keys);
        items.push(item);
      }
    }
    return items;
  };

  return {
    list,
    async get(key) {
      const { file, folder } = await resolveKey(key);
      return describe(file, folder, await loadTrustedKeys(options.dataDir));
    },
    async load(key) {
      const { file } = await resolveKey(key);
      const loaded = parseProfile(new Uint8Array(await readFile(file)), file);
      await checkProfileTrust(loaded, { dataDir: options.dataDir, required: options.requireSignature ?? false });
      return loaded;
    },
    async import(input) {
      const bytes = Buffer.from(input.content, 'utf8');
      if (bytes.length > LIMITS.profileChars) throw new FieldlineError('INVALID_ARGUMENT', 'a profile may be at most 1 MiB');
      const [folder] = await realFolders();
      if (!folder) throw new FieldlineError('STORE_UNAVAILABLE', `cannot create ${dataFolder}`);
      const file = join(folder.dir, sanitizeFileName(input.fileName));
      const exists = (await stat(file).catch(() => undefined)) !== undefined;
      if (exists && !input.replace) throw new FieldlineError('PROFILE_EXISTS', basename(file));
      // The signature first, so there is no moment where the new file sits beside the old file's signature.
      if (input.signature !== undefined) await writePrivateFile(`${file}.sig`, input.signature);
      else await rm(`${file}.sig`, { force: true });
      await writePrivateFile(file, bytes);
      return describe(file, folder, await loadTrustedKeys(options.dataDir));
    },
  };
}
