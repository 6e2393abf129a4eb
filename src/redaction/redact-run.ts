import type { ResponseExcerpt, RunResult, StepResult } from '../core/results.js';
import { isSensitiveHeader } from '../http/wire-format.js';
import { hideTokenFields } from '../oauth2/token-response.js';
import { REDACTED, Redactor } from './redactor.js';

/*
 * A run's result carries its secret set under a symbol: JSON, Object.entries and pino never see
 * it, while an object spread keeps it, so a copy of a result can still be redacted. The redacted
 * view is memoised on the result (not enumerable, so a modified copy never inherits a stale view):
 * the log, the status store and a reporter that all show one run redact it once.
 */
const SECRETS = Symbol('stepwatch.secrets');
const VIEW = Symbol('stepwatch.redacted');

type Marked = RunResult & { [SECRETS]?: Redactor; [VIEW]?: RunResult };

const NO_SECRETS = new Redactor();

/** Gives a run's result the secret set its redacted view will use. */
export function attachSecrets(result: RunResult, secrets: Redactor): RunResult {
  (result as Marked)[SECRETS] = secrets;
  return result;
}

/** The set a result was attached, for what is shown outside the result (a log line's extra fields). */
export function secretsOf(result: RunResult): Redactor {
  return (result as Marked)[SECRETS] ?? NO_SECRETS;
}

/**
 * The run as it may be shown: step messages and response excerpts with the run's secrets and
 * the credential headers replaced. Only free text is touched: names of monitors and steps,
 * numbers and statuses are never rewritten. A passing run has neither, and costs a loop over
 * its steps.
 */
export function redactRun(result: RunResult): RunResult {
  const marked = result as Marked;
  const cached = marked[VIEW];
  if (cached) return cached;
  const secrets = secretsOf(result);
  let changed = false;
  const steps = result.steps.map((step) => {
    const shown = redactStep(step, secrets);
    if (shown !== step) changed = true;
    return shown;
  });
  const view: RunResult = changed ? { ...result, steps } : result;
  Object.defineProperty(marked, VIEW, { value: view, enumerable: false, configurable: true });
  if (view !== result) Object.defineProperty(view, VIEW, { value: view, enumerable: false, configurable: true });
  return view;
}

function redactStep(step: StepResult, secrets: Redactor): StepResult {
  if (step.message === undefined && step.response === undefined) return step;
  return {
    ...step,
    ...(step.message !== undefined ? { message: secrets.redactText(step.message) } : {}),
    ...(step.response !== undefined ? { response: redactExcerpt(step.response, secrets) } : {}),
  };
}

/**
 * An answer as it may be shown: credential headers by name, the token fields of any JSON answer
 * (access_token, refresh_token, id_token) by structure, then the run's secrets wherever they stand.
 */
export function redactExcerpt(excerpt: ResponseExcerpt, secrets: Redactor): ResponseExcerpt {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(excerpt.headers)) headers[name] = isSensitiveHeader(name) ? REDACTED : secrets.redactText(value);
  return { ...excerpt, headers, body: secrets.redactText(hideTokenFields(excerpt.body, REDACTED)) };
}
