// @ts-check
/**
 * The layers of the code (issue #13), checked by eslint-plugin-boundaries in eslint.config.js and by
 * main/lint-layers.test.ts. Each unit may import only units of earlier layers, itself, and the few same-layer
 * arrows listed below (each one way; the test fails on any arrow back, so no folder cycle can hide here).
 *
 * A unit is a folder of main/ (its "element"), or one file picked out by a file category: main/errors.ts,
 * main/log.ts, main/app.ts, main/data-dir.ts and main/transport/transport.ts (the Transport interface: smp is written
 * against it, serial and BLE implement it, so it sits below both).
 *
 * Outside the layers:
 * - main/simulator/ may import layers 0–2 only (it is a fake gateway: protocol and device code, never the app);
 * - main/testing/ (test helpers), *.test.*, bench/, e2e/ and scripts/ may import anything and are not checked;
 * - no production file imports main/simulator/ or main/testing/, except the sim command and the demo (NAMED_ENTRIES);
 * - registry/ (the reference registry, a separate server) imports only the neutral modules: main/contract/,
 *   main/shared/, main/errors.ts and main/log.ts — and the CLI reaches registry/ only through the named entries;
 * - renderer/ and preload/ import only main/contract/ (also checked, with words, by the zones in eslint.config.js).
 */

/** Earliest first. Within a layer, units do not import each other except by SAME_LAYER_ARROWS. */
export const LAYERS = [
  /* 0 */ ['contract', 'errors', 'log', 'transport-api', 'shared'],
  /* 1 */ ['smp', 'pki', 'store'],
  /* 2 */ ['transport', 'device'],
  /* 3 */ ['profiles'],
  /* 4 */ ['diagnostics', 'provisioning'],
  /* 5 */ ['sync', 'station'],
  /* 6 */ ['core', 'app', 'data-dir'],
  /* 7 */ ['server', 'electron', 'cli'],
];

/** [from, to] inside one layer: real arrows, one way only. */
export const SAME_LAYER_ARROWS = [
  ['errors', 'contract'],
  ['log', 'contract'],
  ['shared', 'contract'],
  ['shared', 'errors'],
  ['shared', 'log'],
  ['device', 'transport'],
  ['provisioning', 'diagnostics'],
  // createApp is the core plus discovery and the UI handlers: app builds on core, never the reverse.
  ['app', 'core'],
  ['cli', 'server'],
];

/** Units outside the layers, with what they may import. */
export const OUTSIDE = {
  simulator: { importsLayersUpTo: 2 },
  registry: { imports: ['contract', 'shared', 'errors', 'log'] },
  renderer: { imports: ['contract'] },
  preload: { imports: ['contract'] },
};

/**
 * Production files allowed past the rule, by name: the sim command owns the simulator (and hands `fieldline profile
 * test` its gateway), the demo runs virtual gateways and a registry beside the station, `fieldline registry serve`
 * starts the reference registry.
 */
export const NAMED_ENTRIES = [
  { file: 'main/cli/sim.ts', category: 'sim-entry', mayImport: ['simulator'] },
  { file: 'main/cli/station-demo.ts', category: 'demo-entry', mayImport: ['simulator', 'registry'] },
  { file: 'main/cli/registry.ts', category: 'registry-entry', mayImport: ['registry'] },
];

/** Units that are one file: [unit, element type of its folder, file]. */
const FILE_UNITS = [
  ['errors', 'main', 'main/errors.ts'],
  ['log', 'main', 'main/log.ts'],
  ['data-dir', 'main', 'main/data-dir.ts'],
  ['app', 'main', 'main/app.ts'],
  ['transport-api', 'transport', 'main/transport/transport.ts'],
];

/** The folders of main/, each a unit (main/testing/ is only imported: its own imports are not checked). */
const MAIN_FOLDERS = [
  'contract', 'shared', 'smp', 'pki', 'store', 'transport', 'device', 'profiles', 'diagnostics', 'provisioning',
  'sync', 'station', 'core', 'app', 'server', 'electron', 'cli', 'simulator', 'testing',
];

/**
 * The unit of a file (a path relative to the repository root, with '/'), or undefined outside main/, registry/,
 * renderer/ and preload/ (bench/, e2e/, scripts/: not checked).
 * @param {string} path @returns {string | undefined}
 */
export function unitOf(path) {
  const single = FILE_UNITS.find(([, , file]) => file === path);
  if (single) return single[0];
  const [top, folder] = path.split('/');
  if (top === 'main') return folder !== undefined && MAIN_FOLDERS.includes(folder) ? folder : 'main';
  return top !== undefined && top in OUTSIDE ? top : undefined;
}

/** What a named entry may import besides what its unit may. @param {string} path @returns {string[]} */
export function entryImportsOf(path) {
  return NAMED_ENTRIES.find((entry) => entry.file === path)?.mayImport ?? [];
}

/** @param {string} unit @returns {number | undefined} */
export function layerOf(unit) {
  const index = LAYERS.findIndex((layer) => layer.includes(unit));
  return index < 0 ? undefined : index;
}

/** What `unit` may import besides itself. @param {string} unit @returns {string[]} */
export function importsOf(unit) {
  if (unit === 'simulator') return LAYERS.slice(0, OUTSIDE.simulator.importsLayersUpTo + 1).flat();
  if (unit === 'registry' || unit === 'renderer' || unit === 'preload') return [...OUTSIDE[unit].imports];
  const layer = layerOf(unit);
  if (layer === undefined) throw new Error(`eslint.layers.js: ${unit} is in no layer`);
  return [...LAYERS.slice(0, layer).flat(), ...SAME_LAYER_ARROWS.filter(([from]) => from === unit).map(([, to]) => to)];
}

/**
 * The boundaries selectors of some units: one for all the folders, one per folder holding single-file units. Few
 * selectors with lists, not one per unit: the rule matches every selector against every import, and one selector
 * per unit made it most of the lint's time.
 * @param {readonly string[]} units @returns {Array<{ element: { type: string | string[] }, file?: { categories: string[] } }>}
 */
function selectorsOf(units) {
  const folders = units.filter((unit) => MAIN_FOLDERS.includes(unit) || unit in OUTSIDE);
  /** @type {Map<string, string[]>} */
  const byFolder = new Map();
  for (const [unit, type] of FILE_UNITS) if (units.includes(unit)) byFolder.set(type, [...(byFolder.get(type) ?? []), unit]);
  return [
    ...(folders.length > 0 ? [{ element: { type: folders } }] : []),
    ...[...byFolder].map(([type, categories]) => ({ element: { type }, file: { categories } })),
  ];
}

const SOURCE = '*.{ts,tsx,mts,cts,js,mjs,cjs}';

/**
 * The flat-config entries of the layering rule.
 * @param {import('eslint').ESLint.Plugin} boundaries the plugin
 * @param {readonly string[]} tests globs of test files (not checked)
 * @returns {import('eslint').Linter.Config[]}
 */
export function layerConfigs(boundaries, tests) {
  const units = [...new Set([...LAYERS.flat(), 'simulator', ...Object.keys(OUTSIDE)])];
  /** @type {unknown[]} */
  const policies = [];
  for (const unit of units) {
    const allowed = selectorsOf([unit, ...importsOf(unit)]).map((to) => ({ to }));
    for (const from of selectorsOf([unit])) policies.push({ from, allow: allowed });
  }
  // transport.ts is a layer-0 file inside the transport folder: the folder's wider rights are taken back from it
  // (a later policy overrides an earlier one).
  const widerThanApi = importsOf('transport').filter((unit) => !importsOf('transport-api').includes(unit));
  for (const from of selectorsOf(['transport-api'])) policies.push({ from, disallow: selectorsOf(widerThanApi).map((to) => ({ to })) });
  for (const entry of NAMED_ENTRIES) {
    policies.push({ from: { element: { type: 'cli' }, file: { categories: [entry.category] } }, allow: selectorsOf(entry.mayImport).map((to) => ({ to })) });
  }
  return [
    {
      name: 'fieldline/layers',
      files: ['main', 'registry', 'renderer', 'preload'].map((dir) => `${dir}/**/${SOURCE}`),
      ignores: [...tests, 'main/testing/**'],
      plugins: { boundaries },
      settings: {
        'boundaries/elements': [
          ...MAIN_FOLDERS.map((folder) => ({ type: folder, pattern: `main/${folder}`, partialMatch: false })),
          // Last: main/'s own files (errors.ts, log.ts, app.ts, data-dir.ts), told apart by their file category.
          { type: 'main', pattern: 'main', partialMatch: false },
          ...['registry', 'renderer', 'preload'].map((dir) => ({ type: dir, pattern: dir, partialMatch: false })),
        ],
        'boundaries/files': [
          ...FILE_UNITS.map(([unit, , file]) => ({ category: unit, pattern: file })),
          ...NAMED_ENTRIES.map((entry) => ({ category: entry.category, pattern: entry.file })),
        ],
        'boundaries/dependency-nodes': ['import', 'export', 'dynamic-import'],
        // Imports name no extension (moduleResolution Bundler): without this resolver an import resolves to
        // nothing and the rule lets it through.
        'import/resolver': { node: { extensions: ['.ts', '.tsx', '.mts', '.js', '.mjs'] } },
      },
      rules: {
        'boundaries/dependencies': [
          'error',
          {
            default: 'disallow',
            message:
              "Layering: {{from.element.type}} may not import {{to.element.type}} ('{{dependency.source}}'). Each part of main/ imports only earlier layers; production code never imports main/simulator/ or main/testing/ (named entries aside); registry/ only main/contract/, main/shared/, errors and log. The table: eslint.layers.js.",
            policies,
          },
        ],
      },
    },
  ];
}
