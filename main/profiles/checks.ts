/**
 * Checks zod cannot express: template references, regular expressions that must compile, names that must be
 * unique, integers that must fit their encoding, and the firmware image on disk. They read the raw YAML value
 * defensively rather than the parsed Profile, so they still run — and report — when the schema found problems
 * elsewhere in the file: a profile author sees every problem in one lint.
 */
import { resolve } from 'node:path';
import { FieldlineError } from '../errors';
import { INTEGER_ENCODINGS } from './schema';
import { problemAt, quote, shortName, type ProfileProblem } from './issues';
import { LOAD_LIMITS } from './limits';
import { compileErrorReason, patternBudget, patternTooLong, testWithin, type PatternBudget } from './pattern-guard';
import { hashRegularFileSync } from './regular-file';
import { MAX_SIGNING_KEYS, signingKeySync } from './signing-keys';
import { formatPath, type ProfilePath, type ProfileSource } from './source-map';
import { FACT_FIELDS, NAMESPACES, scanTemplate } from './template-syntax';
import { variablePattern } from './template';

export interface CheckOptions {
  /** Folder that relative paths in the profile (firmware.image) are resolved against. */
  baseDir: string;
  /** Read and hash firmware.image (off for a profile checked away from its files). */
  checkFiles: boolean;
  /** Largest firmware image hashed; a larger one refuses the profile (FILE_TOO_LARGE). */
  maxImageBytes: number;
}

type Dict = Record<string, unknown>;
const dict = (v: unknown): Dict | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Dict) : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function semanticProblems(raw: unknown, source: ProfileSource, options: CheckOptions): ProfileProblem[] {
  const root = dict(raw);
  if (!root) return [];
  const at = (path: ProfilePath, message: string): ProfileProblem => problemAt(source, path, message);
  return [
    ...templateProblems(root, source),
    ...patternProblems(root, at, patternBudget()),
    ...diagnosticProblems(root, source, at),
    ...settingProblems(root, at),
    ...fileProblems(root, source, at),
    ...(options.checkFiles ? firmwareProblems(root, options.baseDir, options.maxImageBytes, at) : []),
    ...signingKeyProblems(root, options.baseDir, options.checkFiles, at),
  ];
}

/** Every string that is a template, with its path. */
function templates(root: Dict): Array<{ path: ProfilePath; text: string }> {
  const out: Array<{ path: ProfilePath; text: string }> = [];
  const add = (path: ProfilePath, value: unknown): void => {
    const text = str(value);
    if (text !== undefined) out.push({ path, text });
  };
  const identity = dict(root.identity);
  if (identity) {
    add(['identity', 'subject'], identity.subject);
    list(identity.sans).forEach((san, i) => add(['identity', 'sans', i], san));
  }
  for (const [name, spec] of Object.entries(dict(root.settings) ?? {})) {
    const type = dict(spec)?.type;
    if (type === 'string' || type === 'integer') add(['settings', name, 'value'], dict(spec)?.value);
  }
  list(root.files).forEach((file, i) => add(['files', i, 'template'], dict(file)?.template));
  return out;
}

function templateProblems(root: Dict, source: ProfileSource): ProfileProblem[] {
  const declared = new Set(Object.keys(dict(root.variables) ?? {}));
  const problems: ProfileProblem[] = [];
  for (const { path, text } of templates(root)) {
    const seen = new Map<string, number>();
    // Each problem points at the `{{ … }}` itself, even inside a multi-line file template.
    const report = (raw: string, message: string): void => {
      const n = seen.get(raw) ?? 0;
      seen.set(raw, n + 1);
      problems.push({ path: formatPath(path), ...source.locateInScalar(path, raw, n), message });
    };
    const { references, errors } = scanTemplate(text);
    for (const e of errors) report(e.raw, e.message);
    for (const ref of references) {
      const problem = referenceProblem(ref.namespace, ref.name, declared);
      if (problem) report(ref.raw, problem);
      else seen.set(ref.raw, (seen.get(ref.raw) ?? 0) + 1);
    }
  }
  return problems;
}

/** The declared names a message lists: a few, then how many more (a profile may declare thousands). */
function someNames(names: ReadonlySet<string>, shown = 10): string {
  const list = [...names].slice(0, shown).map((n) => shortName(n, 40));
  return names.size > shown ? `${list.join(', ')} and ${names.size - shown} more` : list.join(', ');
}

function referenceProblem(namespace: string, name: string, declared: ReadonlySet<string>): string | undefined {
  if (namespace === 'vars') {
    if (declared.has(name)) return undefined;
    return `vars.${shortName(name)} is not declared under variables${declared.size ? ` (declared: ${someNames(declared)})` : ''}`;
  }
  if (namespace === 'device' || namespace === 'station') {
    const fields: readonly string[] = FACT_FIELDS[namespace];
    return fields.includes(name) ? undefined : `${namespace} has no "${shortName(name)}" (it has: ${fields.join(', ')})`;
  }
  return `unknown namespace "${shortName(namespace)}" (use ${NAMESPACES.join(', ')})`;
}

type At = (path: ProfilePath, message: string) => ProfileProblem;

/**
 * Regexes as their users compile them: identify and diagnostics with the `m` flag, variables anchored. Each is
 * bounded in length before it is compiled; the only input one runs on here is a variable's own default, under a
 * time limit (pattern-guard.ts). Counting groups runs the pattern on "" with an empty alternative, which matches
 * at once whatever the pattern is.
 */
function patternProblems(root: Dict, at: At, budget: PatternBudget): ProfileProblem[] {
  const problems: ProfileProblem[] = [];
  const check = (path: ProfilePath, pattern: unknown, needsGroup: boolean): void => {
    const text = str(pattern);
    if (text === undefined) return;
    const tooLong = patternTooLong(text);
    if (tooLong) {
      problems.push(at(path, tooLong));
      return;
    }
    let groups: number;
    try {
      groups = (new RegExp(`${text}|`, 'm').exec('')?.length ?? 1) - 1;
    } catch (err) {
      problems.push(at(path, `does not compile: ${compileErrorReason(err)}`));
      return;
    }
    if (needsGroup && groups < 1) problems.push(at(path, 'needs a capture group ( … ) around the value to read'));
  };
  check(['identify', 'pattern'], dict(root.identify)?.pattern, true);
  list(root.diagnostics).forEach((d, i) => {
    const type = dict(d)?.type;
    if (type === 'shell-match' || type === 'shell-number') check(['diagnostics', i, 'pattern'], dict(d)?.pattern, type === 'shell-number');
  });
  for (const [name, spec] of Object.entries(dict(root.variables) ?? {})) {
    const pattern = str(dict(spec)?.pattern);
    if (pattern === undefined) continue;
    const path = ['variables', name, 'pattern'];
    const tooLong = patternTooLong(pattern);
    if (tooLong) {
      problems.push(at(path, tooLong));
      continue;
    }
    let re: RegExp;
    try {
      re = variablePattern(pattern);
    } catch (err) {
      problems.push(at(path, `does not compile: ${compileErrorReason(err)}`));
      continue;
    }
    const fallback = str(dict(spec)?.default);
    if (fallback === undefined) continue;
    const matched = testWithin(re, fallback, budget);
    if (matched === 'timeout') {
      problems.push(
        at(
          path,
          `ran longer than ${LOAD_LIMITS.patternMs} ms on the variable's own default: it backtracks without end on some input ` +
            '(nested repetition like (a+)+ does); rewrite it',
        ),
      );
    } else if (matched === 'budget') {
      const why = `not checked against its pattern: the patterns before it used up the ${LOAD_LIMITS.patternBudgetMs} ms allowed`;
      problems.push(at(['variables', name, 'default'], why));
    } else if (!matched) {
      problems.push(at(['variables', name, 'default'], `${quote(fallback)} does not match the variable's own pattern ${shortName(pattern)}`));
    }
  }
  return problems;
}

function diagnosticProblems(root: Dict, source: ProfileSource, at: At): ProfileProblem[] {
  const problems: ProfileProblem[] = [];
  const first = new Map<string, number>();
  list(root.diagnostics).forEach((d, i) => {
    const name = str(dict(d)?.name);
    if (name !== undefined) {
      const earlier = first.get(name);
      if (earlier === undefined) first.set(name, i);
      else {
        const line = source.locate(['diagnostics', earlier, 'name']).line;
        problems.push(at(['diagnostics', i, 'name'], `diagnostic name ${quote(name)} is already used (line ${line}); names must be unique`));
      }
    }
    const min = dict(d)?.min;
    const max = dict(d)?.max;
    if (typeof min === 'number' && typeof max === 'number' && min > max) {
      problems.push(at(['diagnostics', i, 'min'], `min ${min} is above max ${max}: nothing could pass`));
    }
  });
  return problems;
}

/** Integers that do not fit their encoding would only fail at the device; catch them here. */
function settingProblems(root: Dict, at: At): ProfileProblem[] {
  const problems: ProfileProblem[] = [];
  for (const [name, raw] of Object.entries(dict(root.settings) ?? {})) {
    const spec = dict(raw);
    if (spec?.type !== 'integer') continue;
    const encoding = spec.encoding ?? 'i32';
    if (!(INTEGER_ENCODINGS as readonly unknown[]).includes(encoding)) continue;
    const path = ['settings', name, 'value'];
    let value: bigint;
    let shown: string | undefined;
    if (typeof spec.value === 'number' && Number.isSafeInteger(spec.value)) value = BigInt(spec.value);
    else if (typeof spec.value === 'string' && !spec.value.includes('{{')) {
      if (!/^\s*[-+]?\d+\s*$/.test(spec.value)) {
        problems.push(at(path, `${quote(spec.value)} is neither an integer nor a template`));
        continue;
      }
      // More than 20 significant digits fits no encoding (u64 has 20); BigInt of a megabyte of digits would
      // take seconds, so such a value is out of range without being converted.
      const digits = spec.value.trim().replace(/^[-+]?0*/, '');
      if (digits.length > 20) shown = quote(spec.value);
      value = digits.length > 20 ? (spec.value.trim().startsWith('-') ? -(10n ** 21n) : 10n ** 21n) : BigInt(spec.value.trim());
    } else continue;
    const [min, max] = integerRange(encoding as string);
    if (value < min || value > max) problems.push(at(path, `${shown ?? value} does not fit ${String(encoding)} (${min} to ${max})`));
  }
  return problems;
}

export function integerRange(encoding: string): [bigint, bigint] {
  const bits = BigInt(Number(encoding.slice(1)));
  return encoding.startsWith('i') ? [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n] : [0n, (1n << bits) - 1n];
}

function fileProblems(root: Dict, source: ProfileSource, at: At): ProfileProblem[] {
  const problems: ProfileProblem[] = [];
  const first = new Map<string, number>();
  list(root.files).forEach((f, i) => {
    const path = str(dict(f)?.path);
    if (path === undefined) return;
    const earlier = first.get(path);
    if (earlier === undefined) first.set(path, i);
    else {
      const line = source.locate(['files', earlier, 'path']).line;
      problems.push(at(['files', i, 'path'], `${shortName(path)} is already written by the file at line ${line}`));
    }
  });
  return problems;
}

/**
 * The image is hashed in chunks with its own cap, never read whole. A missing or unreadable image is a problem
 * of the profile; one that is not a regular file (/dev/zero, a FIFO) or is over the cap refuses the profile, with
 * the refusal's code and the position of firmware.image: the loader does not read such a thing at all.
 */
function firmwareProblems(root: Dict, baseDir: string, maxImageBytes: number, at: At): ProfileProblem[] {
  const firmware = dict(root.firmware);
  const image = str(firmware?.image);
  if (!firmware || image === undefined || image === '') return [];
  const file = resolve(baseDir, image);
  let digest: string;
  try {
    digest = hashRegularFileSync(file, { maxBytes: maxImageBytes, what: 'firmware image' });
  } catch (err) {
    if (!(err instanceof FieldlineError)) throw err;
    if (err.code === 'FILE_NOT_REGULAR' || err.code === 'FILE_TOO_LARGE') {
      throw new FieldlineError(err.code, err.message, { problems: [at(['firmware', 'image'], err.message)] });
    }
    const reason = err.code === 'FILE_NOT_FOUND' ? 'not found' : err.message.slice(err.message.lastIndexOf(': ') + 2);
    return [at(['firmware', 'image'], `image file ${shortName(file, 300)}: ${reason} (paths are relative to the profile)`)];
  }
  const expected = str(firmware.sha256);
  if (expected === undefined || !/^[0-9a-fA-F]{64}$/.test(expected)) return [];
  if (expected.toLowerCase() === digest) return [];
  return [at(['firmware', 'sha256'], `does not match the image file ${shortName(file, 300)}, whose SHA-256 is ${digest}`)];
}

/**
 * Every firmware.signingKeys entry must be a usable public key: inline ones always, files when files are checked. A
 * key file is read like the image (regular, capped); one that cannot be read is a problem of the profile. Whether the
 * image is signed by one of the keys is checked where the image is read whole, before upload (steps/firmware.ts).
 */
function signingKeyProblems(root: Dict, baseDir: string, checkFiles: boolean, at: At): ProfileProblem[] {
  const entries = list(dict(root.firmware)?.signingKeys).slice(0, MAX_SIGNING_KEYS);
  const problems: ProfileProblem[] = [];
  const seen = new Map<string, number>();
  entries.forEach((entry, i) => {
    if (typeof entry !== 'string' || entry === '') return;
    try {
      const key = signingKeySync(entry, i, baseDir, checkFiles);
      if (!key) return;
      const earlier = seen.get(key.keyHash);
      if (earlier !== undefined) problems.push(at(['firmware', 'signingKeys', i], `is the same key as signingKeys[${earlier}]`));
      else seen.set(key.keyHash, i);
    } catch (err) {
      if (!(err instanceof FieldlineError)) throw err;
      // The problem's path already names an inline key: its message need not say so again.
      const reason =
        err.code === 'FILE_NOT_FOUND'
          ? `key file ${shortName(resolve(baseDir, entry), 300)}: not found (paths are relative to the profile)`
          : err.message.replace(/^firmware\.signingKeys\[\d+\]: /, '');
      problems.push(at(['firmware', 'signingKeys', i], shortName(reason, 600)));
    }
  });
  return problems;
}
