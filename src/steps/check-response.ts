import type { Step } from '../core/monitor.js';
import type { StepFailure } from '../core/failure.js';
import { failure } from '../core/failure.js';
import type { ResponseView } from '../core/response-view.js';
import { checkAssertion } from '../assertions/evaluate.js';
import { extract } from '../extraction/extract.js';
import { MAX_REGEX_MS } from '../extraction/bounded-regex.js';
import { renderJson, MissingValueError } from '../templating/template.js';
import type { StepContext } from './step-context.js';
import { resolverFor } from './step-context.js';

/**
 * Judges a response the same way for every step kind: status first (2xx unless the step says
 * otherwise), then the other assertions, then extractions into `custom.*`. Assertions come first
 * so that a 500 is reported as a status failure, not as a missing field.
 */
export function checkResponse(step: Step, response: ResponseView, context: StepContext): StepFailure | undefined {
  if (!step.hasStatusAssertion && (response.status < 200 || response.status > 299)) {
    return failure('status', `expected a 2xx status, got ${response.status}`);
  }
  const resolve = resolverFor(context);
  // A user regex may take what is left of the run's budget, and never more than MAX_REGEX_MS.
  const regexMs = () => Math.max(1, Math.min(MAX_REGEX_MS, context.deadline - performance.now()));
  for (const assertion of step.assertions) {
    let expected: unknown;
    try {
      expected = renderJson(assertion.expected, resolve);
    } catch (error) {
      if (error instanceof MissingValueError) return failure('template', `${error.message} for an assertion`);
      throw error;
    }
    const problem = checkAssertion(assertion, expected, response, { regexMs: regexMs() });
    if (problem) return failure(assertion.subject === 'status' ? 'status' : 'assertion', problem);
  }
  for (const extraction of step.extractions) {
    const outcome = extract(extraction, response, regexMs());
    if ('error' in outcome) return failure('extraction', `extract ${extraction.name}: ${outcome.error}`);
    if (extraction.secret) context.redactor.add(outcome.value);
    context.custom.set(extraction.name, outcome.value);
  }
  return undefined;
}
