/**
 * zod's issues turned into problems a profile author can act on: one per offending field, at the line of the node
 * (the key itself for unknown or badly named keys), in words rather than zod's internal phrasing.
 */
import type { z } from 'zod';
import { formatPath, type ProfilePath, type ProfileSource } from './source-map';

export interface ProfileProblem {
  /** Where in the profile, e.g. "settings.app/site.value" or "diagnostics[2].pattern"; "" for the whole file. */
  path: string;
  line: number;
  column: number;
  message: string;
}

type Issue = z.ZodError['issues'][number];

/**
 * A value as a problem quotes it: JSON, cut to `max` characters. A profile's values can be a megabyte long, and a
 * problem is one line a person reads (and the contract bounds it).
 */
export function quote(value: unknown, max = 80): string {
  let text: string;
  try {
    text = typeof value === 'string' && value.length > max * 2 ? JSON.stringify(value.slice(0, max * 2)) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A name (a key, a variable) inside a message, cut like quote() but without JSON's quotes. */
export function shortName(name: string, max = 80): string {
  return name.length > max ? `${name.slice(0, max - 1)}…` : name;
}

/** Builds a problem for `path`, positioned by the source. */
export function problemAt(source: ProfileSource, path: ProfilePath, message: string, preferKey = false): ProfileProblem {
  return { path: formatPath(path), ...source.locate(path, preferKey), message };
}

export function issuesToProblems(issues: readonly Issue[], source: ProfileSource, input: unknown): ProfileProblem[] {
  const problems: ProfileProblem[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push(problemAt(source, [...path, key], `unknown field ${quote(key)}`, true));
      continue;
    }
    if (issue.code === 'invalid_key') {
      const inner = issue.issues[0]?.message ?? issue.message;
      problems.push(problemAt(source, path, `bad name ${quote(String(path[path.length - 1]))}: ${plain(inner)}`, true));
      continue;
    }
    problems.push(problemAt(source, path, describe(issue, valueAt(input, path))));
  }
  return problems;
}

function describe(issue: Issue, value: unknown): string {
  const missing = value === undefined;
  switch (issue.code) {
    case 'invalid_type':
      if (missing) return `is required (${issue.expected})`;
      // YAML reads 1.0, 60 or yes as numbers and booleans; the fix is quoting, so say so.
      if (issue.expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')) {
        return `must be text, but YAML reads it as a ${typeof value}: put it in quotes`;
      }
      return plain(issue.message);
    case 'invalid_value':
      return `must be ${issue.values.map((v) => quote(v)).join(' or ')}`;
    case 'invalid_union': {
      const options = (issue as { options?: unknown[] }).options;
      if (issue.errors.length === 0 && Array.isArray(options)) {
        const list = options.map(String).join(', ');
        return missing ? `is required: one of ${list}` : `must be one of ${list}, not ${quote(value)}`;
      }
      return unionMessage(issue.errors, value);
    }
    default:
      return plain(issue.message);
  }
}

/** "expected int or string, received number" rather than zod's bare "Invalid input" for a union. */
function unionMessage(branches: ReadonlyArray<readonly Issue[]>, value: unknown): string {
  const expected: string[] = [];
  for (const branch of branches) {
    const [first] = branch;
    if (branch.length !== 1 || first?.code !== 'invalid_type' || first.path.length > 0) {
      return plain(branches[0]?.[0]?.message ?? 'does not match any allowed form');
    }
    expected.push(first.expected === 'int' ? 'an integer' : `a ${first.expected}`);
  }
  return `must be ${expected.join(' or ')}, not ${quote(value)}`;
}

function plain(message: string): string {
  return message.replace(/^Invalid input: /, '');
}

function valueAt(root: unknown, path: ProfilePath): unknown {
  let value = root;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}
