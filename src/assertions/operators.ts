import type { Operator } from '../core/monitor.js';
import { boundedTest, MAX_REGEX_MS, splitPattern } from '../extraction/bounded-regex.js';

/** The JavaScript regex an operator's `matches` value stands for; `/.../flags` form allowed. */
export function toRegExp(pattern: string): RegExp {
  const { source, flags } = splitPattern(pattern);
  return new RegExp(source, flags);
}

/** What bounds an operator: the time one regex match may take (the step's remaining budget, at most MAX_REGEX_MS). */
export interface OperatorLimits {
  regexMs: number;
}

const DEFAULT_LIMITS: OperatorLimits = { regexMs: MAX_REGEX_MS };

/**
 * Values from YAML and from responses meet here: a number from JSON equals the string "3600"
 * written in YAML (or rendered from a template), so scalars compare by their text.
 */
export function looselyEqual(actual: unknown, expected: unknown): boolean {
  if (actual === expected) return true;
  if (isScalar(actual) && isScalar(expected)) return String(actual) === String(expected);
  return JSON.stringify(actual) === JSON.stringify(expected);
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? '';
}

function contains(actual: unknown, expected: unknown): boolean {
  if (actual === undefined || actual === null) return false;
  if (Array.isArray(actual)) return actual.some((item) => looselyEqual(item, expected));
  return asText(actual).includes(asText(expected));
}

function compareNumbers(actual: unknown, expected: unknown, test: (a: number, b: number) => boolean): boolean {
  if (actual === null || actual === undefined || actual === '') return false;
  const a = Number(actual);
  const b = Number(expected);
  return Number.isFinite(a) && Number.isFinite(b) && test(a, b);
}

type OperatorFn = (actual: unknown, expected: unknown, limits: OperatorLimits) => boolean;

/** The contract's operators; every one works on every subject. */
export const operators = {
  equals: looselyEqual,
  notEquals: (actual, expected) => !looselyEqual(actual, expected),
  contains,
  notContains: (actual, expected) => !contains(actual, expected),
  // User patterns run with a time limit: a catastrophic one fails its step instead of blocking the process.
  matches: (actual, expected, limits = DEFAULT_LIMITS) => actual !== undefined && boundedTest(String(expected), asText(actual), limits.regexMs),
  exists: (actual, expected) => (actual !== undefined) === (expected === true || expected === 'true'),
  lessThan: (actual, expected) => compareNumbers(actual, expected, (a, b) => a < b),
  greaterThan: (actual, expected) => compareNumbers(actual, expected, (a, b) => a > b),
  oneOf: (actual, expected) => Array.isArray(expected) && expected.some((item) => looselyEqual(actual, item)),
} satisfies Record<Operator, OperatorFn>;

/** How an operator reads in a failure message: "expected status to equal 200, got 500". */
export const operatorWords = {
  equals: 'equal',
  notEquals: 'not equal',
  contains: 'contain',
  notContains: 'not contain',
  matches: 'match',
  exists: 'exist:',
  lessThan: 'be less than',
  greaterThan: 'be greater than',
  oneOf: 'be one of',
} satisfies Record<Operator, string>;
