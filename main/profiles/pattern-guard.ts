/**
 * Regular expressions written by a profile's author, run here on text from someone else (a variable's default, a
 * scanned value). V8's engine backtracks: `(a+)+$` takes longer than the age of the universe on forty a's and a
 * "!", and no static check tells every such pattern from a safe one (`\d+(?:\.\d+)*` looks as nested and is fine).
 * So patterns are bounded in length before they are compiled, and run under vm's timeout, which interrupts a
 * regular expression mid-backtrack: a pattern that takes too long is reported as a problem of the profile, not a
 * frozen station. A budget caps the time all of one profile's patterns may take together.
 */
import vm from 'node:vm';
import { LOAD_LIMITS } from './limits';

export interface PatternBudget {
  /** Milliseconds left for patterns in this load. */
  remainingMs: number;
  /** One context for all of a load's tests: a new one per test costs a millisecond. */
  context?: vm.Context;
}

export function patternBudget(totalMs: number = LOAD_LIMITS.patternBudgetMs): PatternBudget {
  return { remainingMs: totalMs };
}

/** Why a pattern is too long to compile, if it is. */
export function patternTooLong(pattern: string): string | undefined {
  if (pattern.length <= LOAD_LIMITS.patternChars) return undefined;
  return `is ${pattern.length} characters long; a pattern may have at most ${LOAD_LIMITS.patternChars}`;
}

/**
 * V8 quotes the whole pattern in its message ("Invalid regular expression: /…/u: Unterminated group"); the reason
 * alone is what an author needs, and it keeps a problem about a 1,000-character pattern one line long.
 */
export function compileErrorReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const at = message.lastIndexOf(': ');
  return at >= 0 ? message.slice(at + 2) : message;
}

const TEST = new vm.Script('re.test(input)');

/**
 * `re.test(input)`; 'timeout' when it ran past the per-pattern limit twice (once could be the machine, busy
 * elsewhere), 'budget' when the load's budget was spent before it could finish.
 */
export function testWithin(re: RegExp, input: string, budget: PatternBudget): boolean | 'timeout' | 'budget' {
  const first = runTimed(re, input, budget);
  return first === 'timeout' ? runTimed(re, input, budget) : first;
}

function runTimed(re: RegExp, input: string, budget: PatternBudget): boolean | 'timeout' | 'budget' {
  const limit = Math.min(LOAD_LIMITS.patternMs, Math.floor(budget.remainingMs));
  if (limit <= 0) return 'budget';
  const context = (budget.context ??= warmContext());
  const started = performance.now();
  try {
    // A fresh lastIndex: the result must not depend on an earlier test with the same RegExp object.
    re.lastIndex = 0;
    context.re = re;
    context.input = input;
    return TEST.runInContext(context, { timeout: limit }) === true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return 'timeout';
    throw err;
  } finally {
    context.re = undefined;
    context.input = undefined;
    budget.remainingMs -= performance.now() - started;
  }
}

/** A context that has run the test once, so no first-run compiling is counted against a pattern. */
function warmContext(): vm.Context {
  const context = vm.createContext({ re: /x/, input: 'x' });
  TEST.runInContext(context);
  return context;
}
