/**
 * The CLI bundle (scripts/cli-bundle.mjs) on a scratch repository of three small sources: what it builds, that it is
 * never taken for fresh once a source changed (whatever the change and whenever it happened, during the build
 * too), that concurrent builds leave one whole bundle current, and that bin/fieldline.js runs a fresh bundle or the
 * sources, never a stale bundle. Every CLI test then runs the real bundle through bin.
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildCliBundle, freshBundle } from './cli-bundle.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));

const SOURCES = {
  'package.json': JSON.stringify({ name: 'scratch', version: '9.8.7', type: 'module' }),
  'tsconfig.json': JSON.stringify({ extends: './tsconfig.base.json' }),
  'tsconfig.base.json': JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'ESNext', strict: true } }),
  // Reads a file beside the sources, as main/cli/index.ts reads package.json.
  'main/cli/index.ts': [
    "import { readFileSync } from 'node:fs';",
    "import { greeting } from './greeting';",
    'export async function main(): Promise<string> {',
    "  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };",
    "  const lazy = await import('./lazy');",
    '  return `${greeting()} ${pkg.version} ${lazy.word}`;',
    '}',
  ].join('\n'),
  'main/cli/greeting.ts': "export const greeting = (): string => 'hello';\n",
  'main/cli/lazy.ts': "export const word = 'lazy';\n",
  'main/profiles/loader-worker.ts': 'export {};\n',
  'main/pki/pkcs11-worker.ts': 'export {};\n',
};

let root;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'fieldline-cli-bundle-'));
  for (const [path, text] of Object.entries(SOURCES)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  await mkdir(join(root, 'scripts'));
  await cp(join(REPO, 'scripts/cli-bundle.mjs'), join(root, 'scripts/cli-bundle.mjs'));
  await symlink(join(REPO, 'node_modules'), join(root, 'node_modules'));
  // Sources written long before the build, as on a checkout: recorded by size and mtime only.
  const past = new Date(Date.now() - 3600_000);
  for (const path of Object.keys(SOURCES)) await utimes(join(root, path), past, past);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function runEntry(entry) {
  const { main } = await import(`${pathToFileURL(entry).href}?t=${Date.now()}`);
  return main();
}

describe('the CLI bundle', () => {
  it('builds the sources into out/cli, lazy imports as their own chunk, files beside the sources found as unbundled', async () => {
    const entry = await buildCliBundle({ root });
    expect(entry).toBeDefined();
    expect(entry.startsWith(join(root, 'out/cli'))).toBe(true);
    expect(freshBundle(root)).toBe(entry);
    expect(await runEntry(entry)).toBe('hello 9.8.7 lazy');
    expect(await readFile(entry, 'utf8')).not.toContain("'lazy'");
  });

  it('is stale once a source changes, is deleted, or a compile setting changes', async () => {
    for (const change of [
      (r) => writeFile(join(r, 'main/cli/greeting.ts'), "export const greeting = (): string => 'hallo';\n"),
      (r) => unlink(join(r, 'main/cli/lazy.ts')),
      (r) => writeFile(join(r, 'tsconfig.base.json'), '{}'),
    ]) {
      expect(await buildCliBundle({ root })).toBeDefined();
      await change(root);
      expect(freshBundle(root)).toBeUndefined();
      await writeFile(join(root, 'main/cli/lazy.ts'), SOURCES['main/cli/lazy.ts']);
    }
  });

  it('is not fresh when its build folder is gone, whatever the manifest says', async () => {
    const entry = await buildCliBundle({ root });
    await rm(dirname(entry), { recursive: true });
    expect(freshBundle(root)).toBeUndefined();
  });

  it('is stale after a same-size rewrite that keeps the mtime, when the source was written just before the build', async () => {
    const file = join(root, 'main/cli/greeting.ts');
    // A whole second, so utimes can set the very same mtime again (stat's mtime carries nanoseconds otherwise).
    const mtime = new Date(Math.floor(Date.now() / 1000) * 1000);
    await writeFile(file, SOURCES['main/cli/greeting.ts']);
    await utimes(file, mtime, mtime);
    expect(await buildCliBundle({ root })).toBeDefined();
    // Same length, same mtime (a second write within the file system's timestamp granularity).
    await writeFile(file, SOURCES['main/cli/greeting.ts'].replace('hello', 'HELLO'));
    await utimes(file, mtime, mtime);
    expect(freshBundle(root)).toBeUndefined();
    const rebuilt = await buildCliBundle({ root });
    expect(await runEntry(rebuilt)).toBe('HELLO 9.8.7 lazy');
  });

  it('publishes nothing when a source changes while the build runs, and the previous bundle stays current', async () => {
    const previous = await buildCliBundle({ root });
    const entry = await buildCliBundle({
      root,
      onSourceRead: (path) => (path === 'main/cli/greeting.ts' ? writeFile(join(root, path), "export const greeting = (): string => 'changed';\n") : undefined),
    });
    expect(entry).toBeUndefined();
    // The previous bundle was built from the old greeting, so it is stale now too: nothing is fresh until a rebuild.
    expect(freshBundle(root)).toBeUndefined();
    expect(JSON.parse(await readFile(join(root, 'out/cli/current.json'), 'utf8')).dir).toBe(dirname(previous).split('/').at(-1));
    expect(await runEntry(await buildCliBundle({ root }))).toBe('changed 9.8.7 lazy');
  });

  it('leaves one whole bundle current when processes build at once', async () => {
    const script = join(root, 'scripts/cli-bundle.mjs');
    const builds = Array.from({ length: 4 }, () => exitCode(spawn(process.execPath, [script], { cwd: root, stdio: 'ignore' })));
    expect(await Promise.all(builds)).toEqual([0, 0, 0, 0]);
    const entry = freshBundle(root);
    expect(entry).toBeDefined();
    expect(await runEntry(entry)).toBe('hello 9.8.7 lazy');
  });

  it('removes builds replaced more than 30 minutes ago, keeps recent ones and the current one', async () => {
    const first = dirname(await buildCliBundle({ root }));
    const second = dirname(await buildCliBundle({ root }));
    const old = new Date(Date.now() - 31 * 60_000);
    await utimes(first, old, old);
    const current = dirname(await buildCliBundle({ root }));
    await utimes(current, old, old);
    const kept = await readdir(join(root, 'out/cli'));
    expect(kept).not.toContain(basename(first));
    expect(kept).toContain(basename(second));
    await buildCliBundle({ root });
    expect(await readdir(join(root, 'out/cli'))).not.toContain(basename(current));
  });

  it('does not build sources that do not compile (bin then runs them through tsx, which reports the error)', async () => {
    await writeFile(join(root, 'main/cli/greeting.ts'), 'export const greeting = (: string =>;\n');
    await expect(buildCliBundle({ root })).rejects.toThrow();
    expect(freshBundle(root)).toBeUndefined();
    // `npm run build` fails; npm's prepare (--if-possible) does not fail the install over it.
    const script = join(root, 'scripts/cli-bundle.mjs');
    expect(await exitCode(spawn(process.execPath, [script], { cwd: root, stdio: 'ignore' }))).toBe(1);
    expect(await exitCode(spawn(process.execPath, [script, '--if-possible'], { cwd: root, stdio: 'ignore' }))).toBe(0);
  });
});

function exitCode(child) {
  return new Promise((resolve) => child.once('close', (code) => resolve(code)));
}

describe('bin/fieldline.js', () => {
  const CLI = [
    'export async function main(argv: string[]): Promise<void> {',
    // Where the running code lives (import.meta.url names the source file in the bundle too).
    "  const from = new Error().stack?.includes('/out/cli/') ? 'bundle' : 'sources';",
    "  process.stdout.write(`${from} VERSION ${argv.slice(2).join(' ')}\\n`);",
    '}',
  ].join('\n');
  const write = (version) => writeFile(join(root, 'main/cli/index.ts'), CLI.replace('VERSION', version));

  beforeEach(async () => {
    await mkdir(join(root, 'bin'));
    await cp(join(REPO, 'bin/fieldline.js'), join(root, 'bin/fieldline.js'));
  });

  function fieldline(env = {}) {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [join(root, 'bin/fieldline.js'), 'a', 'b'], { cwd: root, env: { ...process.env, ...env } });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (t) => (out += t));
      child.stderr.setEncoding('utf8').on('data', (t) => (err += t));
      child.once('close', (code) => resolve({ code, out: out.trim(), err }));
    });
  }

  it('builds the bundle on first use, runs it, and runs a rebuilt one after every edit', async () => {
    await write('v1');
    expect(await fieldline()).toMatchObject({ code: 0, out: 'bundle v1 a b' });
    const first = freshBundle(root);
    expect(first).toBeDefined();
    expect(await fieldline()).toMatchObject({ code: 0, out: 'bundle v1 a b' });
    expect(freshBundle(root)).toBe(first);
    await write('v2');
    expect(await fieldline()).toMatchObject({ code: 0, out: 'bundle v2 a b' });
    expect(freshBundle(root)).not.toBe(first);
  });

  it('runs the sources through tsx when they do not build, or when asked to', async () => {
    await write('v1');
    expect(await fieldline({ FIELDLINE_FROM_SOURCES: '1' })).toMatchObject({ code: 0, out: 'sources v1 a b' });
    await writeFile(join(root, 'main/cli/greeting.ts'), 'export const greeting = (: string =>;\n');
    await writeFile(join(root, 'main/cli/index.ts'), `import './greeting';\n${CLI.replace('VERSION', 'v3')}`);
    const broken = await fieldline();
    // tsx compiles the file that is wrong and says where.
    expect(broken.code).not.toBe(0);
    expect(broken.err).toContain('greeting.ts');
  });
});
