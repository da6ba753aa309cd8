#!/usr/bin/env node
/**
 * The built renderer must not reach for Node: no import, dynamic import or require of a Node built-in (`fs`,
 * `node:fs`, `child_process`, …) in out/renderer/assets/*.js, and no module Vite swapped for its empty
 * `__vite-browser-external` stub (what a Node import in renderer code silently turns into in a browser build).
 * ESLint's layering rule stops such imports in renderer/ sources; this checks what actually ships, dependencies
 * included.
 *
 *   node scripts/check-renderer-bundle.mjs [DIR]      (default out/renderer; exit 1 on any finding)
 */
import { readdir, readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const BUILTINS = builtinModules.filter((m) => !m.startsWith('_'));
// `fs`, `fs/promises`, `node:anything` — as a whole module specifier.
const SPECIFIER = `(node:[\\w/.-]+|(?:${BUILTINS.map(escape).join('|')}))`;
const PATTERNS = [
  { kind: 'import', re: new RegExp(`\\bimport\\s*(?:[\\w$*{}\\s,]+?\\s*from\\s*)?["']${SPECIFIER}["']`, 'g') },
  { kind: 'export-from', re: new RegExp(`\\bexport\\s*(?:\\*|\\{[^}]*\\})\\s*from\\s*["']${SPECIFIER}["']`, 'g') },
  { kind: 'dynamic import', re: new RegExp(`\\bimport\\s*\\(\\s*["']${SPECIFIER}["']\\s*\\)`, 'g') },
  { kind: 'require', re: new RegExp(`\\brequire\\s*\\(\\s*["']${SPECIFIER}["']\\s*\\)`, 'g') },
  { kind: 'vite browser stub', re: /__vite-browser-external(?::([\w:/.-]+))?/g },
  { kind: 'vite browser stub', re: /Module "([^"]+)" has been externalized for browser compatibility/g },
];

/**
 * Every reference to a Node built-in in one bundle's source.
 * @param {string} code
 * @returns {Array<{kind: string, module: string, index: number, excerpt: string}>}
 */
export function nodeBuiltinReferences(code) {
  const found = [];
  for (const { kind, re } of PATTERNS) {
    re.lastIndex = 0;
    for (let m = re.exec(code); m !== null; m = re.exec(code)) {
      found.push({ kind, module: m[1] ?? '(unknown)', index: m.index, excerpt: code.slice(Math.max(0, m.index - 40), m.index + m[0].length + 40).replace(/\s+/g, ' ') });
    }
  }
  return found.sort((a, b) => a.index - b.index);
}

/**
 * Checks every .js/.mjs file under `dir`/assets.
 * @param {string} dir the built renderer (out/renderer)
 */
export async function checkRendererBundle(dir) {
  const assets = join(dir, 'assets');
  const files = (await readdir(assets)).filter((f) => /\.m?js$/.test(f)).sort();
  if (files.length === 0) throw new Error(`${assets}: no JavaScript files — build the renderer first (npm run build)`);
  const findings = [];
  let bytes = 0;
  for (const file of files) {
    const code = await readFile(join(assets, file), 'utf8');
    bytes += code.length;
    for (const ref of nodeBuiltinReferences(code)) findings.push({ file: join(assets, file), ...ref });
  }
  return { files: files.map((f) => join(assets, f)), bytes, findings };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = process.argv[2] ?? join(ROOT, 'out', 'renderer');
  checkRendererBundle(dir).then(
    ({ files, bytes, findings }) => {
      for (const f of findings) process.stdout.write(`  ✗ ${relative(ROOT, f.file)} @${f.index}: ${f.kind} of ${f.module}: …${f.excerpt}…\n`);
      const where = `${files.length} file(s), ${(bytes / 1024).toFixed(0)} KiB in ${relative(ROOT, dir) || dir}/assets`;
      if (findings.length > 0) {
        process.stdout.write(`renderer bundle: FAILED — ${findings.length} Node built-in reference(s) in ${where}\n`);
        process.exit(1);
      }
      process.stdout.write(`renderer bundle: no Node built-in imported or required (${where})\n`);
    },
    (err) => {
      process.stderr.write(`renderer bundle check: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(2);
    },
  );
}
