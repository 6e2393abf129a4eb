import type { Assertion, Operator } from '../core/monitor.js';
import { OPERATORS } from '../core/monitor.js';
import { parseDuration } from '../core/duration.js';
import { toRegExp } from '../assertions/operators.js';
import { jsonPathProblem } from '../extraction/jsonpath.js';
import type { CompileContext } from './compile-context.js';
import type { RawAssert, RawOperators } from './schema.js';
import type { Path } from './yaml-source.js';

/** Turns a step's `assert` block into assertion data, checking regexes, JSONPaths and durations now. */
export function compileAssertions(raw: RawAssert | undefined, path: Path, ctx: CompileContext): Assertion[] {
  if (!raw) return [];
  const assertions: Assertion[] = [];
  const status = raw.status;
  if (typeof status === 'number') {
    assertions.push({ subject: 'status', operator: 'equals', expected: status });
  } else if (Array.isArray(status)) {
    assertions.push({ subject: 'status', operator: 'oneOf', expected: status });
  } else if (typeof status === 'string') {
    assertions.push({ subject: 'status', operator: 'matches', expected: ctx.template(`^${status[0]}\\d\\d$`, [...path, 'status']) });
  } else if (status) {
    assertions.push(...operatorAssertions('status', undefined, status, [...path, 'status'], ctx));
  }
  if (raw.latency) assertions.push(...operatorAssertions('latency', undefined, raw.latency, [...path, 'latency'], ctx));
  for (const [name, ops] of Object.entries(raw.headers ?? {})) {
    assertions.push(...operatorAssertions('header', name.toLowerCase(), ops, [...path, 'headers', name], ctx));
  }
  if (raw.body) assertions.push(...operatorAssertions('body', undefined, raw.body, [...path, 'body'], ctx));
  for (const [expression, ops] of Object.entries(raw.jsonpath ?? {})) {
    const problem = jsonPathProblem(expression);
    if (problem) ctx.error([...path, 'jsonpath', expression], problem, { key: true });
    assertions.push(...operatorAssertions('jsonpath', expression, ops, [...path, 'jsonpath', expression], ctx));
  }
  return assertions;
}

function operatorAssertions(
  subject: Assertion['subject'],
  property: string | undefined,
  ops: RawOperators,
  path: Path,
  ctx: CompileContext,
): Assertion[] {
  return (Object.keys(ops) as Operator[])
    .filter((operator) => (OPERATORS as readonly string[]).includes(operator))
    .map((operator) => {
      const at = [...path, operator];
      const value = ops[operator];
      if (operator === 'matches') checkRegex(String(value), at, ctx);
      if (subject === 'latency' && (operator === 'lessThan' || operator === 'greaterThan')) {
        const ms = parseDuration(value);
        if (ms === undefined) ctx.error(at, `latency ${operator} must be a duration such as 800ms or 2s, got ${JSON.stringify(value)}`);
        return { subject, operator, expected: ms ?? 0 };
      }
      return { subject, ...(property !== undefined ? { property } : {}), operator, expected: ctx.jsonTemplate(value, at) };
    });
}

function checkRegex(pattern: string, path: Path, ctx: CompileContext): void {
  try {
    toRegExp(pattern);
  } catch (error) {
    ctx.error(path, `not a valid regular expression: ${(error as Error).message}`);
  }
}
