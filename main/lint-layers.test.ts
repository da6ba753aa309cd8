/**
 * The layers of eslint.layers.js, proven twice: the ESLint rule (eslint-plugin-boundaries) refuses planted imports
 * that break them and lets the allowed ones through; and the import graph of the real sources, built here without
 * ESLint, has no arrow the table forbids and no cycle, between folders or between files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ESLint } from 'eslint';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const RULE = 'boundaries/dependencies';

interface LayersModule {
  LAYERS: readonly (readonly string[])[];
  SAME_LAYER_ARROWS: readonly (readonly [string, string])[];
  unitOf(path: string): string | undefined;
  importsOf(unit: string): string[];
  entryImportsOf(path: string): string[];
  layerOf(unit: string): number | undefined;
}

let layers: LayersModule;
let eslint: ESLint;

beforeAll(async () => {
  // A runtime import: the table is plain JavaScript for eslint.config.js, and tsc does not read .js files here.
  layers = (await import(pathToFileURL(join(root, 'eslint.layers.js')).href)) as LayersModule;
  eslint = new ESLint({ cwd: root });
});

/** The layering rule's messages for `code` as if it were the file at `filePath` (which need not exist). */
async function refusals(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  if (!result) throw new Error(`no lint result for ${filePath}`);
  const fatal = result.messages.filter((m) => m.fatal);
  if (fatal.length > 0) throw new Error(`${filePath}: ${fatal.map((m) => m.message).join('; ')}`);
  return result.messages.filter((m) => m.ruleId === RULE).map((m) => m.message);
}

const use = (specifier: string): string => `import { x } from '${specifier}';\nexport const used = x;\n`;

describe('the layering rule (eslint-plugin-boundaries)', () => {
  // Each target file exists: an import that resolves to nothing is not the rule's to judge.
  const refused: ReadonlyArray<readonly [string, string, string]> = [
    ['main/smp/planted.ts', use('../provisioning/runner'), 'smp may not import provisioning'],
    ['main/store/planted.ts', use('../sync/drainer'), 'store may not import sync'],
    ['main/pki/planted.ts', `import type { ProvisionEvents } from '../provisioning/context';\nexport type E = ProvisionEvents;\n`, 'pki may not import provisioning'],
    ['main/diagnostics/planted.ts', use('../provisioning/runner'), 'diagnostics may not import provisioning'],
    ['main/transport/planted.ts', use('../device/session'), 'transport may not import device'],
    ['main/core/planted.ts', use('../app/handlers'), 'core may not import app'],
    ['main/smp/planted.ts', `export { x } from '../store/store';\n`, 'smp may not import store'],
    ['main/smp/planted.ts', `export const m = await import('../provisioning/runner');\n`, 'smp may not import provisioning'],
    // The Transport interface is layer 0 although it sits in transport/.
    ['main/transport/transport.ts', use('../smp/client'), 'transport may not import smp'],
    // Production code never reaches the simulator or the test helpers.
    ['main/provisioning/planted.ts', use('../simulator/runtime/simulator'), 'provisioning may not import simulator'],
    ['main/cli/provision.ts', use('../simulator/runtime/simulator'), 'cli may not import simulator'],
    ['main/app/planted.ts', use('../testing/app'), 'app may not import testing'],
    ['main/cli/planted.ts', use('../testing/cli'), 'cli may not import testing'],
    ['main/simulator/device/planted.ts', use('../../provisioning/runner'), 'simulator may not import provisioning'],
    // registry/ sees only the neutral modules; the CLI reaches registry/ only through its named entries.
    ['registry/planted.ts', use('../main/sync/drainer'), 'registry may not import sync'],
    ['registry/planted.ts', use('../main/store/store'), 'registry may not import store'],
    ['main/sync/planted.ts', use('../../registry/records'), 'sync may not import registry'],
    ['main/cli/provision.ts', use('../../registry/server'), 'cli may not import registry'],
    ['renderer/src/planted.ts', use('../../main/smp/client'), 'renderer may not import smp'],
  ];
  it.each(refused)('refuses %s: %s', async (file, code, words) => {
    const messages = await refusals(file, code);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(words);
  });

  const allowed: ReadonlyArray<readonly [string, string]> = [
    ['main/smp/planted.ts', use('../errors')],
    ['main/smp/planted.ts', use('../transport/transport')],
    ['main/store/planted.ts', use('../contract/run-record')],
    ['main/store/planted.ts', use('../shared/sqlite')],
    ['main/device/planted.ts', use('../transport/serial')],
    ['main/provisioning/planted.ts', use('../diagnostics/plan')],
    ['main/app/planted.ts', use('../core/core')],
    ['main/cli/planted.ts', use('../server/index')],
    ['main/simulator/device/planted.ts', use('../../smp/cbor')],
    ['main/simulator/ble/planted.ts', use('../../transport/ble/virtual/protocol')],
    ['main/cli/sim.ts', use('../simulator/runtime/simulator')],
    ['main/cli/station-demo.ts', use('../simulator/runtime/simulator')],
    ['main/cli/station-demo.ts', use('../../registry/server')],
    ['main/cli/registry.ts', use('../../registry/server')],
    ['registry/planted.ts', use('../main/contract/registry/api')],
    ['registry/planted.ts', use('../main/shared/bundle-format')],
    ['registry/planted.ts', use('../main/errors')],
    // Tests and test helpers may import anything.
    ['main/smp/planted.test.ts', use('../provisioning/runner')],
    ['main/testing/planted.ts', use('../simulator/runtime/simulator')],
  ];
  it.each(allowed)('lets %s import %s', async (file, code) => {
    expect(await refusals(file, code)).toEqual([]);
  });

  it('refuses the imports of a main/ folder that has no layer yet', async () => {
    // (Its imports of main/errors.ts and main/log.ts, files of the same element to the plugin, are left to the
    // import-graph test below.)
    expect(await refusals('main/newpart/planted.ts', use('../smp/cbor'))).toHaveLength(1);
  });
});

/** Production sources (not tests, not test helpers) under main/, registry/, renderer/ and preload/. */
function sources(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|tsx|mts)$/.test(entry.name) && !/\.(test|spec)\./.test(entry.name) && !entry.name.endsWith('.d.ts')) found.push(path);
    }
  };
  for (const dir of ['main', 'registry', 'renderer', 'preload']) walk(dir);
  return found.filter((path) => !path.startsWith('main/testing/'));
}

const EXTENSIONS = ['', '.ts', '.tsx', '.mts', '/index.ts'];
const known = new Set<string>();

/** The repository-relative file a relative specifier of `from` names, or undefined (a package, or nothing). */
function resolveImport(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = normalize(join(dirname(from), specifier)).split(sep).join('/');
  return EXTENSIONS.map((ext) => base + ext).find((candidate) => known.has(candidate));
}

/** file -> the files it imports (static, type-only, re-exports and literal dynamic imports alike). */
function importGraph(files: readonly string[]): Map<string, string[]> {
  for (const file of files) known.add(file);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
    const targets = info.importedFiles.map((f) => resolveImport(file, f.fileName)).filter((t): t is string => t !== undefined);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Strongly connected components with more than one node, or a node importing itself (Tarjan). */
function cycles<T>(graph: ReadonlyMap<T, readonly T[]>): T[][] {
  const index = new Map<T, number>();
  const low = new Map<T, number>();
  const stack: T[] = [];
  const onStack = new Set<T>();
  const found: T[][] = [];
  const visit = (node: T): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: T[] = [];
    let member: T | undefined;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component);
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

describe('the import graph of the sources', () => {
  let graph: Map<string, string[]>;
  beforeAll(() => {
    graph = importGraph(sources());
  });

  it('is read at all (a parser that found nothing would pass everything below)', () => {
    const edges = [...graph.values()].reduce((n, targets) => n + targets.length, 0);
    expect(graph.size).toBeGreaterThan(300);
    expect(edges).toBeGreaterThan(1000);
    expect(graph.get('main/smp/client.ts')).toContain('main/transport/transport.ts');
  });

  it('has no file importing a part it may not: a higher layer, the simulator, the test helpers', () => {
    const wrong: string[] = [];
    for (const [file, targets] of graph) {
      const from = layers.unitOf(file);
      if (from === undefined) continue;
      for (const target of targets) {
        const to = layers.unitOf(target);
        if (to === undefined || to === from) continue;
        const may = from === 'main' ? [] : [...layers.importsOf(from), ...layers.entryImportsOf(file)];
        if (!may.includes(to)) wrong.push(`${file} (${from}) -> ${target} (${to})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('has no cycle between folders', () => {
    const folders = new Map<string, string[]>();
    for (const [file, targets] of graph) {
      const from = layers.unitOf(file) ?? file;
      const next = folders.get(from) ?? [];
      for (const target of targets) {
        const to = layers.unitOf(target) ?? target;
        if (to !== from && !next.includes(to)) next.push(to);
      }
      folders.set(from, next);
    }
    expect(cycles(folders)).toEqual([]);
  });

  it('has no cycle between files', () => {
    expect(cycles(graph)).toEqual([]);
  });
});

describe('the layer table', () => {
  it('lists each same-layer arrow inside one layer, one way only', () => {
    for (const [from, to] of layers.SAME_LAYER_ARROWS) {
      expect(layers.layerOf(from), `${from} -> ${to}`).toBe(layers.layerOf(to));
      expect(layers.SAME_LAYER_ARROWS.some(([f, t]) => f === to && t === from), `${to} -> ${from} too`).toBe(false);
    }
  });

  it('puts every unit in one layer', () => {
    const all = layers.LAYERS.flat();
    expect(new Set(all).size).toBe(all.length);
  });
});
