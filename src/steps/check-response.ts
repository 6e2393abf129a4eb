import type { Step } from '../core/monitor.js';
import type { StepFailure } from '../core/failure.js';
import { failure } from '../core/failure.js';
import type { ResponseView } from '../core/response-view.js';
import { checkAssertion, describeSubject } from '../assertions/evaluate.js';
import { isStackOverflow, TOO_DEEP } from '../core/stack-overflow.js';
import { extract } from '../extraction/extract.js';
import type { ExtractOutcome } from '../extraction/extract.js';
import { MAX_REGEX_MS } from '../extraction/bounded-regex.js';
import { renderJson, MissingValueError } from '../templating/template.js';
import type { StepContext } from './step-context.js';
import { resolverFor } from './step-context.js';

/**
 * Judges a response the same way for every step kind: status first (2xx unless the step says
 * otherwise), then the other assertions, then extractions into `custom.*`. Assertions come first
 * so that a 500 is reported as a status failure, not as a missing field. Secret extractions are
 * made before anything is judged, so their values are registered even when the step then fails
 * and its answer is shown.
 */
export function checkResponse(step: Step, response: ResponseView, context: StepContext): StepFailure | undefined {
  // A user regex may take what is left of the run's budget, and never more than MAX_REGEX_MS.
  const regexMs = () => Math.max(1, Math.min(MAX_REGEX_MS, context.deadline - performance.now()));
  const secretOutcomes = new Map<string, ExtractOutcome | string>();
  for (const extraction of step.extractions) {
    if (!extraction.secret) continue;
    const outcome = judged(() => extract(extraction, response, regexMs()), `extract ${extraction.name}`, extraction.expression);
    if (typeof outcome !== 'string' && 'value' in outcome) context.redactor.add(outcome.value);
    secretOutcomes.set(extraction.name, outcome);
  }
  if (!step.hasStatusAssertion && (response.status < 200 || response.status > 299)) {
    return failure('status', `expected a 2xx status, got ${response.status}`);
  }
  const resolve = resolverFor(context);
  for (const assertion of step.assertions) {
    let expected: unknown;
    try {
      expected = renderJson(assertion.expected, resolve);
    } catch (error) {
      if (error instanceof MissingValueError) return failure('template', `${error.message} for an assertion`);
      throw error;
    }
    // The run's secrets are hidden before a message quotes (and cuts) a value, so no cut-off
    // prefix of a secret can slip past redaction later.
    const problem = judged(() => checkAssertion(assertion, expected, response, { regexMs: regexMs() }, (shown) => context.redactor.redactText(shown)), describeSubject(assertion), expected);
    if (problem) return failure(assertion.subject === 'status' ? 'status' : 'assertion', problem);
  }
  for (const extraction of step.extractions) {
    const outcome = secretOutcomes.get(extraction.name) ?? judged(() => extract(extraction, response, regexMs()), `extract ${extraction.name}`, extraction.expression);
    if (typeof outcome === 'string') return failure('extraction', outcome);
    if ('error' in outcome) return failure('extraction', `extract ${extraction.name}: ${outcome.error}`);
    context.custom.set(extraction.name, outcome.value);
  }
  return undefined;
}

/**
 * Runs one judgement over data the API chose: a pattern built at run time that is not a regex,
 * or JSON too deep to walk, fails that assertion or extraction (a string: the message) instead
 * of the run. Anything else thrown is a fault of stepwatch and goes on up (reason `internal`).
 */
function judged<T>(judge: () => T, label: string, pattern: unknown): T | string {
  try {
    return judge();
  } catch (error) {
    if (error instanceof SyntaxError && /regular expression|RegExp/.test(error.message)) return `${label}: the pattern '${String(pattern)}' is not a valid regular expression (${error.message})`;
    if (isStackOverflow(error)) return `${label}: ${TOO_DEEP}`;
    throw error;
  }
}
