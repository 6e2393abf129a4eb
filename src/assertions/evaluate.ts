import type { Assertion, AssertionSubject } from '../core/monitor.js';
import type { ResponseView } from '../core/response-view.js';
import { JsonPathBudgetError, queryJsonPath } from '../extraction/jsonpath.js';
import { MAX_REGEX_MS, RegexSyntaxError, RegexTimeoutError } from '../extraction/bounded-regex.js';
import { operators, operatorWords } from './operators.js';
import type { OperatorLimits } from './operators.js';

type Subject = (response: ResponseView, property: string | undefined) => { actual: unknown } | { error: string };

/** What each subject reads from the response; a new subject is one entry here and one in the schema. */
const subjects = {
  status: (response) => ({ actual: response.status }),
  latency: (response) => ({ actual: Math.round(response.durationMs * 1000) / 1000 }),
  header: (response, name) => ({ actual: response.header(name ?? '') }),
  body: (response) => ({ actual: response.text() }),
  jsonpath: (response, path) => {
    const json = response.json();
    if ('error' in json) return { error: `${path}: ${json.error}` };
    return { actual: queryJsonPath(path ?? '$', json.value)[0] };
  },
} satisfies Record<AssertionSubject, Subject>;

/**
 * Checks one assertion whose expected value is already rendered; returns a message when it fails.
 * A bound that an answer or a pattern exceeds (JSONPath visits, regex time) fails the assertion
 * and names the bound. `hide` redacts a quoted value before it is shortened for the message.
 */
export function checkAssertion(assertion: Assertion, expected: unknown, response: ResponseView, limits?: OperatorLimits, hide: (text: string) => string = (text) => text): string | undefined {
  try {
    return judge(assertion, expected, response, limits, hide);
  } catch (error) {
    if (error instanceof JsonPathBudgetError || error instanceof RegexTimeoutError || error instanceof RegexSyntaxError) return `${describeSubject(assertion)}: ${error.message}`;
    throw error;
  }
}

function judge(assertion: Assertion, expected: unknown, response: ResponseView, limits: OperatorLimits | undefined, hide: (text: string) => string): string | undefined {
  const subject = subjects[assertion.subject](response, assertion.property);
  const label = describeSubject(assertion);
  if ('error' in subject) return subject.error;
  if (operators[assertion.operator](subject.actual, expected, limits ?? { regexMs: MAX_REGEX_MS })) return undefined;
  const shownExpected = assertion.subject === 'latency' ? `${String(expected)}ms` : show(expected, hide);
  const shownActual = assertion.subject === 'latency' ? `${String(subject.actual)}ms` : show(subject.actual, hide);
  return `expected ${label} to ${operatorWords[assertion.operator]} ${shownExpected}, got ${shownActual}`;
}

/** How an assertion's subject reads in a message: `status`, `header x-id`, `$.items[0]`. */
export function describeSubject(assertion: Assertion): string {
  if (assertion.subject === 'header') return `header ${assertion.property ?? ''}`;
  if (assertion.subject === 'jsonpath') return assertion.property ?? '$';
  return assertion.subject;
}

const MAX_SHOWN = 120;
const HIDE_WINDOW = MAX_SHOWN + 16_384;

function show(value: unknown, hide: (text: string) => string): string {
  if (value === undefined) return 'nothing';
  const whole = typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
  // Only the start is shown; hiding secrets in a window well past the cut keeps a 10 MiB body cheap.
  const text = hide(whole.length > HIDE_WINDOW ? whole.slice(0, HIDE_WINDOW) : whole);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}
