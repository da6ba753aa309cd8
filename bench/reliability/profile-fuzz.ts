/**
 * The report's profile-fuzz rows (`--only profile-fuzz`): seeded random and mutated profiles through the station's
 * own loader — the worker with its time and memory limits (main/profiles/isolated-loader.ts) — each answered with
 * a profile, its problems or a refusal. What counts against the product: a crash (anything but a FieldlineError, or
 * INTERNAL), a hang (the worker's time limit had to stop it: load.ts left something unbounded), a problem longer
 * than the contract carries. Seeds: the shipped examples and issue #11's hostile profiles. The seed is printed;
 * FIELDLINE_FUZZ_SEED=<n> replays a run. About 60 s (--quick: about 10 s).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFieldlineError } from '../../main/errors';
import { createProfileLoader } from '../../main/profiles/isolated-loader';
import { LOAD_LIMITS } from '../../main/profiles/limits';
import { REPO_ROOT } from '../../main/testing/cli';
import { HOSTILE } from '../../main/testing/hostile-profiles';
import type { ReliabilityProbe, ReliabilitySection } from './section';
import { createRng } from '../../main/simulator/runtime/faults';

const TIMEOUT_MS = 1500;
const HEAP_MB = 64;
/** Seconds of fuzzing: inputs are made until this much time has passed, so the section's length is bounded. */
const BUDGET_S = { full: 55, quick: 8 };

type Rng = () => number;

const int = (rng: Rng, n: number): number => Math.floor(rng() * n);
const pick = <T>(rng: Rng, items: readonly T[]): T => items[int(rng, items.length)] as T;

const TOKENS = [
  ':', '- ', '[', ']', '{', '}', ',', '? ', '&a ', '*a', '<<: *a\n', '!!binary ', '!!js/function ', '!!str ', '--- \n', '...\n', '%YAML 1.1\n',
  '|\n', '>-\n', '#', "'", '"', '\\', '\t', '\n', '  ', '{{ vars.x }}', '{{', '}}', '\u0000', '\uFEFF', '\uD800', 'é', '0x', '1e999', '.nan',
  'null', '~', 'true', 'yes', '(a+)+$', '(?<n>x)\\k<n>', '[^]', '\\u{1F600}',
];
const IMAGES = ['/dev/zero', '/dev/null', '/dev/urandom', '/proc/self/status', '/etc/passwd', '.', '..', 'missing.bin', '/tmp', 'FIFO'];
const KEYS = [
  ...['apiVersion', 'kind', 'name', 'version', 'variables', 'identify', 'firmware', 'identity', 'settings', 'files', 'diagnostics'],
  ...['pattern', 'image', 'sha256', 'type', 'value', 'default', 'template', 'path', 'command', 'min', 'max', 'encoding', 'mode'],
  ...['subject', 'sans'],
];
const SCALARS = ['fieldline/v1', '1.0.0', 'x', '"quoted"', "'single'", '42', '-1', '18446744073709551616', 'true', '~', '"{{ vars.a }}"'];

/** A random YAML-ish value: maps of profile words, lists, scalars, sometimes anchors and aliases. */
function randomValue(rng: Rng, depth: number, indent: string): string {
  const roll = rng();
  if (depth > 6 || roll < 0.35) {
    return pick(rng, [...SCALARS, '"(a+)+$"', `"${'a'.repeat(int(rng, 3000))}"`, '*a', '&a v']);
  }
  if (roll < 0.7) {
    const n = 1 + int(rng, 5);
    return '\n' + Array.from({ length: n }, () => `${indent}${pick(rng, KEYS)}: ${randomValue(rng, depth + 1, indent + '  ')}`).join('\n');
  }
  if (roll < 0.85) return `[${Array.from({ length: int(rng, 5) }, () => randomValue(rng, 7, '')).join(', ')}]`;
  return '\n' + Array.from({ length: 1 + int(rng, 4) }, () => `${indent}- ${randomValue(rng, depth + 1, indent + '  ')}`).join('\n');
}

interface Family {
  name: string;
  make(rng: Rng, seeds: readonly string[], fifo: string): string;
}

const lines = (text: string): string[] => text.split('\n');

const FAMILIES: Family[] = [
  {
    name: 'byte flips',
    make: (rng, seeds) => {
      const chars = [...pick(rng, seeds)];
      for (let i = 0, n = 1 + int(rng, 20); i < n && chars.length > 0; i++) chars[int(rng, chars.length)] = pick(rng, TOKENS);
      return chars.join('');
    },
  },
  {
    name: 'YAML tokens inserted',
    make: (rng, seeds) => {
      let text = pick(rng, seeds);
      for (let i = 0, n = 1 + int(rng, 30); i < n; i++) {
        const at = int(rng, text.length + 1);
        text = text.slice(0, at) + pick(rng, TOKENS) + text.slice(at);
      }
      return text;
    },
  },
  {
    name: 'lines repeated, dropped, swapped',
    make: (rng, seeds) => {
      const out = lines(pick(rng, seeds));
      for (let i = 0, n = 1 + int(rng, 6); i < n; i++) {
        const at = int(rng, out.length);
        const op = int(rng, 3);
        if (op === 0) out.splice(at, 0, ...Array.from({ length: 1 + int(rng, 3000) }, () => out[at] ?? ''));
        else if (op === 1) out.splice(at, 1);
        else [out[at], out[(at + 1) % out.length]] = [out[(at + 1) % out.length] ?? '', out[at] ?? ''];
      }
      return out.join('\n');
    },
  },
  {
    name: 'seeds spliced together',
    make: (rng, seeds) => {
      const a = lines(pick(rng, seeds));
      const b = lines(pick(rng, seeds));
      return [...a.slice(0, int(rng, a.length + 1)), ...b.slice(int(rng, b.length + 1))].join('\n');
    },
  },
  {
    name: 'values made huge or hostile',
    make: (rng, seeds) =>
      pick(rng, seeds).replace(/: ("[^"\n]*"|[^\n[{]+)$/gm, (whole) =>
        rng() < 0.3 ? `: "${pick(rng, ['(a+)+$', '.*', '9', '{{ vars.x }}', '\\\\', 'ab'].map((s) => s.repeat(1 + int(rng, 40_000))))}"` : whole,
      ),
  },
  {
    name: 'nesting and alias chains',
    make: (rng, seeds) => {
      const base = pick(rng, seeds);
      if (rng() < 0.5) {
        const depth = 1 + int(rng, 3000);
        const open = pick(rng, ['[', '{a: ', '- ']);
        const close = open === '[' ? ']' : open === '- ' ? '' : '}';
        return `${base}\ndeep: ${open.repeat(depth)}x${close.repeat(depth)}\n`;
      }
      const levels = 1 + int(rng, 12);
      const fan = 1 + int(rng, 12);
      let text = `${base}\nl0: &l0 lol\n`;
      for (let i = 1; i <= levels; i++) text += `l${i}: &l${i} [${Array.from({ length: fan }, () => `*l${i - 1}`).join(', ')}]\n`;
      return text;
    },
  },
  {
    name: 'firmware images that are not files',
    make: (rng, seeds, fifo) => {
      const image = pick(rng, IMAGES);
      const firmware = `firmware:\n  minVersion: 1.0.0\n  image: ${image === 'FIFO' ? fifo : image}\n  sha256: "${'0'.repeat(64)}"\n`;
      return `${pick(rng, seeds).replace(/^firmware:[\s\S]*?(?=^\S)/m, '')}\n${firmware}`;
    },
  },
  {
    name: 'random documents',
    make: (rng) => {
      const fields = Array.from({ length: 1 + int(rng, 8) }, () => `${pick(rng, KEYS)}: ${randomValue(rng, 0, '  ')}`);
      return `apiVersion: fieldline/v1\nname: random\nversion: 1.0.0\n${fields.join('\n')}\n`;
    },
  },
];

interface Tally {
  inputs: number;
  valid: number;
  problems: number;
  refused: Map<string, number>;
  crashes: string[];
  hangs: number;
  memory: number;
  overlong: number;
  slowestMs: number;
}

function peakRssMb(): number | undefined {
  try {
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

export const profileFuzzProbe: ReliabilityProbe = {
  name: 'profile-fuzz',
  async run({ quick, log }): Promise<ReliabilitySection> {
    const seed = Number(process.env['FIELDLINE_FUZZ_SEED'] ?? Date.now() % 2 ** 31);
    const rng = createRng(seed);
    log(`seed ${seed} (FIELDLINE_FUZZ_SEED=${seed} replays it)`);
    const work = await mkdtemp(join(tmpdir(), 'fieldline-fuzz-'));
    const fifo = join(work, 'fifo.bin');
    try {
      execFileSync('mkfifo', [fifo]);
    } catch {
      // No mkfifo here: the FIFO image is then a missing file, still a row of its own.
    }
    const examples = [
      await readFile(join(REPO_ROOT, 'resources/profiles/gateway-eu.yaml'), 'utf8'),
      await readFile(join(REPO_ROOT, 'resources/profiles/gateway-inject.yaml'), 'utf8'),
    ];
    // The examples twice: most mutations of a real profile should still parse, and reach the checks behind the parser.
    const seeds = [
      ...examples,
      ...examples,
      HOSTILE.billionLaughs(),
      HOSTILE.manyAliases(),
      HOSTILE.catastrophicRegex(),
      HOSTILE.deepNesting(80),
      HOSTILE.manyKeys(300),
    ];
    const loader = createProfileLoader({ timeoutMs: TIMEOUT_MS, maxHeapMb: HEAP_MB, prewarm: true });
    const empty = (): Tally => ({
      ...{ inputs: 0, valid: 0, problems: 0, refused: new Map<string, number>(), crashes: [] },
      ...{ hangs: 0, memory: 0, overlong: 0, slowestMs: 0 },
    });
    const tallies = new Map<string, Tally>(FAMILIES.map((f) => [f.name, empty()]));
    const started = performance.now();
    const budgetMs = (quick ? BUDGET_S.quick : BUDGET_S.full) * 1000;
    try {
      for (let i = 0; performance.now() - started < budgetMs; i++) {
        const family = FAMILIES[i % FAMILIES.length] as Family;
        const tally = tallies.get(family.name) as Tally;
        const text = family.make(rng, seeds, fifo);
        tally.inputs += 1;
        const t = performance.now();
        try {
          const analysis = await loader.analyseContent(new TextEncoder().encode(text), join(work, `fuzz-${i}.yaml`));
          const overlong = (p: { message: string; path: string }): boolean =>
            p.message.length > LOAD_LIMITS.messageChars || p.path.length > LOAD_LIMITS.pathChars;
          if (analysis.problems.some(overlong)) tally.overlong += 1;
          if (analysis.problems.length === 0) tally.valid += 1;
          else tally.problems += 1;
        } catch (err) {
          if (!isFieldlineError(err) || err.code === 'INTERNAL') {
            tally.crashes.push(`#${i}: ${err instanceof Error ? err.message : String(err)}`.slice(0, 200));
          }
          else if (err.details['limit'] === 'time') tally.hangs += 1;
          else if (err.details['limit'] === 'memory') tally.memory += 1;
          else tally.refused.set(err.code, (tally.refused.get(err.code) ?? 0) + 1);
        }
        tally.slowestMs = Math.max(tally.slowestMs, performance.now() - t);
      }
    } finally {
      await loader.close();
      await rm(work, { recursive: true, force: true });
    }
    const seconds = (performance.now() - started) / 1000;
    const rows: string[][] = [];
    let failures = 0;
    let total = 0;
    for (const [name, t] of tallies) {
      total += t.inputs;
      const bad = t.crashes.length + t.hangs + t.overlong;
      if (bad > 0) failures += 1;
      const refused = [...t.refused].map(([code, n]) => `${code} ${n}`).join(', ') || '0';
      const crashes = t.crashes.length ? `${t.crashes.length}: ${t.crashes[0]}` : '0';
      const counts = [t.inputs, t.valid, t.problems].map(String);
      const limits = [t.hangs, t.memory, t.overlong].map(String);
      rows.push([name, ...counts, refused, crashes, ...limits, t.slowestMs.toFixed(0), bad > 0 ? '**FAIL**' : 'ok']);
    }
    const peak = peakRssMb();
    log(`${total} inputs in ${seconds.toFixed(1)} s, peak RSS ${peak?.toFixed(0) ?? '?'} MB`);
    return {
      title: 'Profile loader fuzzing',
      summary:
        `${total} seeded random and mutated profiles (seed **${seed}**; \`FIELDLINE_FUZZ_SEED=${seed} npm run reliability -- --only profile-fuzz\` ` +
        `replays them) through the station's profile loader — the worker thread with its limits (${TIMEOUT_MS} ms, ${HEAP_MB} MB heap) — in ` +
        `${seconds.toFixed(0)} s. Seeds: the two shipped example profiles and issue #11's hostile ones (billion laughs, 150 aliases, a ` +
        `backtracking pattern, 80 levels of nesting, 300 keys); each family mutates them its own way. Peak RSS of this process, worker ` +
        `included: **${peak?.toFixed(0) ?? 'not measured (no /proc)'} MB**. A row fails on a crash (anything but a FieldlineError, or INTERNAL), ` +
        `a hang (the worker's time limit had to stop a job: the loader left something unbounded) or a problem longer than the contract ` +
        `carries. "memory limit" counts jobs the worker's heap limit stopped.`,
      columns: [
        ...['family', 'inputs', 'valid', 'with problems', 'refused (code: count)', 'crashes', 'hangs (time limit)', 'memory limit'],
        ...['overlong problems', 'slowest (ms)', 'outcome'],
      ],
      rows,
      failures,
    };
  },
};
