import { Script, createContext } from 'node:vm';
import type { Context } from 'node:vm';

/**
 * User regexes (`matches`, regex extraction) run in a node:vm context with a timeout, because
 * V8's backtracking engine has no limit of its own: `^(a+)+$` on 30 bytes took 33 s and
 * blocked every other monitor (issue 12). The context is made once; a match costs about 0.1 ms
 * more than a plain `exec` (measured in test/unit/bounded-regex.test.ts, written in docs/monitors.md).
 */

/** The longest one match may take, whatever the step's remaining budget. */
export const MAX_REGEX_MS = 1_000;

/** A match that ran past its time limit. */
export class RegexTimeoutError extends Error {
  constructor(
    readonly pattern: string,
    readonly limitMs: number,
  ) {
    super(`regex ${show(pattern)} did not finish within ${limitMs} ms (stepwatch's bound for one match); simplify the pattern`);
  }
}

/** A pattern (built at run time from a template) that is not a valid regex. */
export class RegexSyntaxError extends Error {}

/** The JavaScript regex a `matches` value stands for: `/.../flags` or a bare pattern. */
export function splitPattern(pattern: string): { source: string; flags: string } {
  const slashed = /^\/(.*)\/([dgimsuvy]*)$/s.exec(pattern);
  return slashed ? { source: slashed[1] ?? '', flags: slashed[2] ?? '' } : { source: pattern, flags: '' };
}

let context: Context | undefined;
// Runs inside the context, so the RegExp, its backtracking and its result all live there.
const EXEC = new Script(`(() => {
  const match = new RegExp(source, flags).exec(text);
  return match === null ? null : Array.from(match, (group) => (group === undefined ? null : group));
})()`);

/**
 * The first match of `source`/`flags` in `text` (groups, `null` for a group that did not take
 * part), or `null`. Throws RegexTimeoutError past `limitMs`, RegexSyntaxError for a bad pattern.
 */
export function boundedExec(source: string, flags: string, text: string, limitMs = MAX_REGEX_MS): Array<string | null> | null {
  context ??= createContext(Object.create(null) as object);
  Object.assign(context, { source, flags, text });
  const timeout = Math.max(1, Math.min(MAX_REGEX_MS, Math.floor(limitMs)));
  try {
    const result = EXEC.runInContext(context, { timeout }) as Array<string | null> | null;
    return result === null ? null : [...result];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw new RegexTimeoutError(source, timeout);
    if ((error as Error).name === 'SyntaxError') throw new RegexSyntaxError(`not a valid regular expression: ${(error as Error).message}`);
    throw error;
  } finally {
    // The body may be large: let it go with the run.
    Object.assign(context, { source: '', flags: '', text: '' });
  }
}

/** Whether `pattern` (`/.../flags` form allowed) matches `text`, within `limitMs`. */
export function boundedTest(pattern: string, text: string, limitMs = MAX_REGEX_MS): boolean {
  const { source, flags } = splitPattern(pattern);
  // `g` and `y` would make exec start at lastIndex; a fresh RegExp starts at 0 either way.
  return boundedExec(source, flags, text, limitMs) !== null;
}

function show(pattern: string): string {
  return pattern.length > 60 ? `${pattern.slice(0, 60)}…` : pattern;
}
