// @ts-check
/**
 * Lint, plus the layering rule (STYLE.md, "Boundaries that a tool checks"): who may import whom is checked by the
 * built-in `no-restricted-imports`, configured per folder ("zone"). Zones are disjoint, so every file gets exactly
 * one set of import restrictions:
 *   renderer/       main/contract/, its own files, react, react-dom, zustand — no Node builtins, no electron
 *   preload/        main/contract/, its own files, electron
 *   main/contract/  its own files and zod — no Node builtins, electron, react or other parts of main/
 *   main/electron/  anything
 *   everywhere else anything but electron
 * Relative imports are checked exactly: for a file N folders below its zone's root, a specifier that climbs more
 * than N `../` has left the zone, and where it lands is known, so it is matched against the allowed folders.
 * Tests (*.test.*) run in Node and are not shipped: inside a zone they may import anything but electron.
 *
 * Across main/ and registry/, the layers (which part may import which) are eslint-plugin-boundaries' rule, with its
 * table in eslint.layers.js.
 */
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import boundaries from 'eslint-plugin-boundaries';
import { layerConfigs } from './eslint.layers.js';

const SOURCE = '*.{ts,tsx,mts,cts,js,mjs,cjs}';
const TESTS = ['**/*.test.*', '**/*.spec.*'];
/** Deepest folder nesting inside a zone that the relative-import check covers (deeper files fail loudly). */
const MAX_DEPTH = 8;

/** @param {string} text */
const escapeRegex = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** @param {readonly string[]} names */
const moduleRegex = (names) => `(?:${names.map(escapeRegex).join('|')})(?:/|$)`;

const BUILTINS = `^(?:node:|${moduleRegex(builtinModules.filter((m) => !m.startsWith('_')))})`;
const ELECTRON = `^${moduleRegex(['electron'])}`;

const MESSAGES = {
  electron: 'Only main/electron/ and preload/ may import electron: keep Electron at the edge (DESIGN.md, Layout).',
  builtin: 'This code runs without Node: no Node builtins here (renderer/, preload/ and main/contract/).',
};

/** @type {import('eslint').Linter.RulesRecord} */
const ELECTRON_ONLY_RULES = {
  'no-restricted-imports': ['error', { patterns: [{ regex: ELECTRON, message: MESSAGES.electron }] }],
  'no-restricted-syntax': [
    'error',
    {
      selector: 'ImportExpression[source.value=/^electron(?:\\x2F.*)?$/]',
      message: MESSAGES.electron,
    },
    {
      selector: 'CallExpression[callee.name="require"][arguments.0.value=/^electron(?:\\x2F.*)?$/]',
      message: MESSAGES.electron,
    },
  ],
};

/**
 * The no-restricted-imports patterns forbidding relative specifiers that leave `root`, except into `allowed`
 * (folders relative to the repository root), for a file `depth` folders below `root`.
 * @param {string} root @param {number} depth @param {readonly string[]} allowed @param {string} message
 */
function escapePatterns(root, depth, allowed, message) {
  const rootParts = root.split('/');
  const patterns = [];
  for (let up = 1; up <= rootParts.length; up += 1) {
    const landing = rootParts.slice(0, rootParts.length - up).join('/');
    const prefix = landing === '' ? '' : `${landing}/`;
    const reachable = allowed.filter((dir) => dir.startsWith(prefix)).map((dir) => dir.slice(prefix.length));
    const continuation = up < rootParts.length ? ['\\.\\.(?:/|$)'] : [];
    const ok = [...reachable.map((dir) => moduleRegex([dir])), ...continuation];
    const lookahead = ok.length > 0 ? `(?!${ok.join('|')})` : '';
    patterns.push({ regex: `^(?:\\.\\.(?:/|$)){${depth + up}}${lookahead}`, message });
  }
  return patterns;
}

/**
 * @typedef {object} Zone
 * @property {string} root folder, relative to the repository root
 * @property {readonly string[]} importsFrom other folders its code may import from
 * @property {readonly string[]} packages the only packages it may import (builtins and electron: see the flags)
 * @property {boolean} builtins may it import Node builtins?
 * @property {boolean} electron may it import electron?
 * @property {string} message why the rest is refused
 * @property {Record<string, boolean>} globals
 */

/** @param {Zone} zone @returns {import('eslint').Linter.Config[]} */
function zoneConfigs(zone) {
  const bare = [
    ...(zone.electron ? [] : [{ regex: ELECTRON, message: MESSAGES.electron }]),
    ...(zone.builtins ? [] : [{ regex: BUILTINS, message: MESSAGES.builtin }]),
    {
      // Any other package: everything that is not relative, not a builtin, not electron and not allowed.
      regex: `^(?!\\.|${[BUILTINS, ELECTRON].map((r) => `(?:${r.slice(1)})`).join('|')}${zone.packages.map((p) => `|${moduleRegex([p])}`).join('')})`,
      message: zone.message,
    },
  ];
  /** @type {import('eslint').Linter.Config[]} */
  const configs = [];
  for (let depth = 0; depth <= MAX_DEPTH; depth += 1) {
    const patterns = [...bare, ...escapePatterns(zone.root, depth, [zone.root, ...zone.importsFrom], zone.message)];
    configs.push({
      name: `fieldline/layering/${zone.root}/depth-${depth}`,
      files: [`${zone.root}/${'*/'.repeat(depth)}${SOURCE}`],
      ignores: TESTS,
      languageOptions: { globals: zone.globals },
      rules: {
        'no-restricted-imports': ['error', { patterns }],
        'no-restricted-syntax': [
          'error',
          {
            selector: 'CallExpression[callee.name="require"]',
            message: 'Use a static import, so the layering rule can check it.',
          },
          {
            // esquery regexes cannot contain a slash: \x2F is '/'. Only './…' (same folder or below) is safe.
            selector: 'ImportExpression:not([source.value=/^\\.\\x2F/])',
            message: "Dynamic import() only of './…' modules here; use a static import so the layering rule can check it.",
          },
        ],
      },
    });
  }
  configs.push({
    name: `fieldline/layering/${zone.root}/too-deep`,
    files: [`${zone.root}/${'*/'.repeat(MAX_DEPTH + 1)}**/${SOURCE}`],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'Program', message: `Nested too deep for the layering rule (MAX_DEPTH in eslint.config.js).` },
      ],
    },
  });
  configs.push({
    name: `fieldline/layering/${zone.root}/tests`,
    files: TESTS.map((glob) => `${zone.root}/${glob}`),
    languageOptions: { globals: { ...zone.globals, ...globals.node } },
    rules: zone.electron ? { 'no-restricted-imports': 'off', 'no-restricted-syntax': 'off' } : ELECTRON_ONLY_RULES,
  });
  return configs;
}

/** @type {Zone[]} */
const ZONES = [
  {
    root: 'renderer',
    importsFrom: ['main/contract'],
    packages: ['react', 'react-dom', 'zustand'],
    builtins: false,
    electron: false,
    message: 'renderer/ may import only main/contract/, its own files, react, react-dom and zustand.',
    globals: globals.browser,
  },
  {
    root: 'preload',
    importsFrom: ['main/contract'],
    packages: ['electron'],
    builtins: false,
    electron: true,
    message: 'preload/ may import only main/contract/, its own files and electron.',
    globals: globals.node,
  },
  {
    root: 'main/contract',
    importsFrom: [],
    packages: ['zod'],
    builtins: false,
    electron: false,
    message: 'main/contract/ may import only its own files and zod: it is shared with the renderer.',
    globals: {},
  },
];

export default defineConfig(
  {
    name: 'fieldline/ignores',
    ignores: ['out/**', 'dist/**', 'release/**', 'node_modules/**', 'coverage/**', 'test-results/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    name: 'fieldline/base',
    files: [`**/${SOURCE}`],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: globals.node },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-unused-vars': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
        },
      ],
      'no-console': 'off',
    },
  },
  {
    name: 'fieldline/layering/default',
    files: [`**/${SOURCE}`],
    ignores: ['main/electron/**', ...ZONES.map((zone) => `${zone.root}/**`)],
    rules: ELECTRON_ONLY_RULES,
  },
  ...ZONES.flatMap(zoneConfigs),
  // Who may import whom across main/ and registry/ (issue #13): the layer table is eslint.layers.js.
  ...layerConfigs(boundaries, TESTS),
);
