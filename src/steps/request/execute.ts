import type { Step, RequestAction } from '../../core/monitor.js';
import { failure } from '../../core/failure.js';
import type { StepResult } from '../../core/results.js';
import { responseView } from '../../core/response-view.js';
import { formatDuration } from '../../core/duration.js';
import { sendRequest } from '../../http/send-request.js';
import { MissingValueError } from '../../templating/template.js';
import { checkResponse } from '../check-response.js';
import { responseExcerpt } from '../response-excerpt.js';
import type { StepContext } from '../step-context.js';
import { renderRequest } from './render-request.js';
import type { HttpRequest } from '../../http/send-request.js';

/** Runs a request step: render, send, judge. Every outcome is a StepResult, never an exception. */
export async function executeRequestStep(step: Step & { action: RequestAction }, context: StepContext): Promise<StepResult> {
  const started = performance.now();
  const budget = context.deadline - started;
  const stepTimeout = step.action.request.timeoutMs;
  const runBound = budget < stepTimeout;
  let request: HttpRequest;
  try {
    request = renderRequest(step.action.request, context, Math.max(0, Math.min(stepTimeout, budget)));
  } catch (error) {
    const message = error instanceof MissingValueError ? error.message : `request URL is not valid: ${(error as Error).message}`;
    if (!(error instanceof MissingValueError) && !(error instanceof TypeError)) throw error;
    return { name: step.name, status: 'failed', durationMs: performance.now() - started, ...failure('template', message) };
  }
  request.timeoutMessage = runBound
    ? `the run's timeout of ${formatDuration(context.runTimeoutMs)} ran out during this step`
    : `no complete response within the step's timeout of ${formatDuration(stepTimeout)}`;
  const outcome = await sendRequest(request);
  const base = {
    name: step.name,
    durationMs: outcome.durationMs,
    phases: outcome.phases,
    ...(outcome.tlsCertExpiresAt !== undefined ? { tlsCertExpiresAt: outcome.tlsCertExpiresAt } : {}),
  };
  if (!outcome.response) {
    return {
      ...base,
      status: 'failed',
      ...(outcome.status !== undefined ? { httpStatus: outcome.status } : {}),
      ...(outcome.failure ?? failure('connection', 'no response')),
    };
  }
  const { response } = outcome;
  const view = responseView(response.status, response.headers, response.body, outcome.durationMs);
  const problem = checkResponse(step, view, context);
  if (!problem) return { ...base, status: 'passed', httpStatus: response.status };
  return {
    ...base,
    status: 'failed',
    httpStatus: response.status,
    ...problem,
    response: responseExcerpt(response.status, response.headers, view.text()),
  };
}
