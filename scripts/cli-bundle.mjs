/**
 * The CLI bundle: main/cli/index.ts built by esbuild into out/cli/<build>/, which bin/fieldline.js runs instead of
 * compiling the TypeScript sources through tsx on every call (1.7 s for `fieldline --version`, most of it tsx).
 *
 * - Code splitting keeps the command families lazy (main/cli/families.ts): `fieldline smp …` loads the smp chunk and
 *   what it shares, nothing else. node_modules stay external (better-sqlite3, serialport and noble are native).
 * - `import.meta.url` in the sources names files beside them (package.json, resources/, the renderer build): each
 *   file's `import.meta.url` is replaced with its source file's URL, so those paths resolve as they do unbundled. Two
 *   exceptions, isolated-loader.ts and pkcs11-remote.ts, start a worker by file name next to their own code: each
 *   worker is built as its own entry (`loader-worker.js`, `pkcs11-worker.js`, as electron-vite does) and those files
 *   keep the chunk's URL.
 * - Staleness: the sources change under a built bundle all day (every edit, and a test run right after one). The
 *   build writes a manifest of every input with its size and mtime, each taken *before* the file was read, so a
 *   write during the build leaves a mismatch rather than a stale bundle that looks fresh; an input touched in the
 *   last seconds before the build also carries its content hash, because a second write within the file system's
 *   timestamp granularity would not change its mtime. freshBundle() stats every input (a few ms) and answers
 *   nothing if any differs.
 * - Publishing is atomic under concurrent processes: each build writes its own folder (unique name), renames it into
 *   place, then renames a new current.json over the old. A reader sees the old bundle or the new, never half of one.
 *   Builds no longer current are removed 30 minutes after they were built: a process keeps loading chunks of its own
 *   build after it started (the virtual BLE binding is one), and while sources are being edited a build is replaced
 *   every few minutes (1.6 MB each). A process still running 30 minutes after its build was replaced could miss a
 *   chunk it had not loaded yet: a development case only, as an installed tree never rebuilds.
 *
 *   node scripts/cli-bundle.mjs [--if-possible]    build (`npm run build`; npm's prepare, after `npm ci`, with
 *                                                  --if-possible: exit 0 even when it could not build)
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const MANIFEST_VERSION = 1;
/** Inputs written less than this before the build started are also recorded by content (see above). */
const RACY_MS = 3000;
const PRUNE_AFTER_MS = 30 * 60_000;
/** Files that decide how the sources compile without being bundled themselves. */
const CONFIG_INPUTS = ['scripts/cli-bundle.mjs', 'package.json', 'tsconfig.json', 'tsconfig.base.json', 'node_modules/esbuild/package.json'];
/** The files whose import.meta.url must stay the chunk's own (see above). */
const KEEP_BUNDLE_URL = new Set(['main/profiles/isolated-loader.ts', 'main/pki/pkcs11-remote.ts']);
const LOADERS = { '.ts': 'ts', '.mts': 'ts', '.js': 'js', '.mjs': 'js', '.json': 'json' };

/** @typedef {[path: string, size: number, mtimeMs: number, sha1?: string]} Input */
/** @typedef {{ version: number, dir: string, builtAt: number, inputs: Input[] }} Manifest */

const sha1 = (bytes) => createHash('sha1').update(bytes).digest('hex');

const outDir = (root) => join(root, 'out/cli');
const currentFile = (root) => join(outDir(root), 'current.json');

/**
 * The bundle's entry (an absolute path) when out/cli holds a build of the sources as they are now; undefined when
 * there is none or any input changed. Synchronous and cheap: bin/fieldline.js calls it before anything else.
 * @param {string} [root] the repository (tests pass a scratch copy)
 * @returns {string | undefined}
 */
export function freshBundle(root = REPO_ROOT) {
  /** @type {Manifest} */
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(currentFile(root), 'utf8'));
  } catch {
    return undefined;
  }
  if (manifest.version !== MANIFEST_VERSION || !Array.isArray(manifest.inputs)) return undefined;
  for (const [path, size, mtimeMs, hash] of manifest.inputs) {
    const file = join(root, path);
    const s = statSync(file, { throwIfNoEntry: false });
    if (!s || s.size !== size || s.mtimeMs !== mtimeMs) return undefined;
    if (hash !== undefined && sha1(readFileSync(file)) !== hash) return undefined;
  }
  const entry = join(outDir(root), manifest.dir, 'index.js');
  // A build removed by hand (or by an over-eager clean) is no bundle, even with its manifest in place.
  return statSync(entry, { throwIfNoEntry: false }) ? entry : undefined;
}

/**
 * Builds the bundle and makes it current. Answers its entry, or undefined when an input changed while it was being
 * built (the caller runs the sources instead; the next call builds again). Throws when the sources do not compile.
 * @param {{ root?: string, onSourceRead?: (path: string) => Promise<void> | void }} [options] `root`: the repository
 *   (tests pass a scratch copy); `onSourceRead`: called after each source is read, for a test that writes meanwhile
 * @returns {Promise<string | undefined>}
 */
export async function buildCliBundle({ root = REPO_ROOT, onSourceRead } = {}) {
  const out = outDir(root);
  const { build } = await import('esbuild');
  const startedAt = Date.now();
  /** @type {Map<string, Input>} the stat of each source, taken before it was read */
  const seen = new Map();

  const record = async (file) => {
    const s = await stat(file);
    const bytes = await readFile(file);
    const path = relative(root, file).split(sep).join('/');
    const racy = s.mtimeMs >= startedAt - RACY_MS;
    seen.set(path, racy ? [path, s.size, s.mtimeMs, sha1(bytes)] : [path, s.size, s.mtimeMs]);
    await onSourceRead?.(path);
    return { path, bytes };
  };

  /** @type {import('esbuild').Plugin} */
  const sources = {
    name: 'fieldline-sources',
    setup(b) {
      b.onLoad({ filter: /\.(m?ts|m?js|json)$/ }, async (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const { path, bytes } = await record(args.path);
        let contents = bytes.toString('utf8');
        if (!KEEP_BUNDLE_URL.has(path)) {
          // As written in the sources, resolved against the source file (see the header).
          contents = contents
            .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
            .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
            .replaceAll('import.meta.filename', JSON.stringify(args.path));
        }
        return { contents, loader: LOADERS[extname(args.path)], resolveDir: dirname(args.path) };
      });
    },
  };

  const id = `${startedAt.toString(36)}-${randomBytes(4).toString('hex')}`;
  const staging = join(out, `.${id}.tmp`);
  const result = await build({
    absWorkingDir: root,
    entryPoints: { index: 'main/cli/index.ts', 'loader-worker': 'main/profiles/loader-worker.ts', 'pkcs11-worker': 'main/pki/pkcs11-worker.ts' },
    outdir: staging,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    // Stack traces of a bug (exit 70) keep the sources' function names.
    keepNames: true,
    logLevel: 'silent',
    metafile: true,
    plugins: [sources],
  });
  // Anything esbuild read itself (a file type the plugin does not load) is recorded too, after the fact.
  for (const path of Object.keys(result.metafile.inputs)) {
    if (!seen.has(path) && !path.startsWith('node_modules/')) await record(join(root, path));
  }
  for (const path of CONFIG_INPUTS) await record(join(root, path));

  // A source written after the build started may have been read before or after the write: not this build's.
  const inputs = [...seen.values()].sort((a, b) => a[0].localeCompare(b[0]));
  const changed = inputs.some(([path, size, mtimeMs]) => {
    const s = statSync(join(root, path), { throwIfNoEntry: false });
    return !s || s.size !== size || s.mtimeMs !== mtimeMs;
  });
  if (changed) {
    rmSync(staging, { recursive: true, force: true });
    return undefined;
  }

  const dir = id;
  renameSync(staging, join(out, dir));
  /** @type {Manifest} */
  const manifest = { version: MANIFEST_VERSION, dir, builtAt: startedAt, inputs };
  const temp = join(out, `.current-${id}.json`);
  writeFileSync(temp, JSON.stringify(manifest));
  renameSync(temp, currentFile(root));
  prune(out, dir);
  return join(out, dir, 'index.js');
}

/** Removes builds (and abandoned staging folders) older than PRUNE_AFTER_MS, except the current one. */
function prune(out, current) {
  for (const name of readdirSync(out)) {
    if (name === current || name === 'current.json') continue;
    const path = join(out, name);
    const s = statSync(path, { throwIfNoEntry: false });
    if (s && Date.now() - s.mtimeMs > PRUNE_AFTER_MS) rmSync(path, { recursive: true, force: true });
  }
}

if (resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) {
  // npm's prepare passes --if-possible: an install must not fail over the bundle, which bin rebuilds (or does without)
  // on its next call anyway.
  const failCode = process.argv.includes('--if-possible') ? 0 : 1;
  try {
    const entry = await buildCliBundle();
    if (entry) {
      process.stdout.write(`cli-bundle: ${relative(REPO_ROOT, dirname(entry))}\n`);
    } else {
      process.stderr.write('cli-bundle: a source changed during the build; run it again\n');
      process.exitCode = failCode;
    }
  } catch (err) {
    process.stderr.write(`cli-bundle: not built (bin/fieldline.js runs the sources through tsx): ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = failCode;
  }
}
