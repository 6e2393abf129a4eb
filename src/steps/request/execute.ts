import type { Step, RequestAction } from '../../core/monitor.js';
import { failure } from '../../core/failure.js';
import type { StepResult } from '../../core/results.js';
import { responseView } from '../../core/response-view.js';
import { passedStep, sendStepRequest } from '../send-step-request.js';
import { MissingValueError } from '../../templating/template.js';
import { RenderProblem } from '../render-problem.js';
import { checkResponse } from '../check-response.js';
import { responseExcerpt } from '../response-excerpt.js';
import type { StepContext } from '../step-context.js';
import { renderRequest } from './render-request.js';
import type { HttpRequest } from '../../http/send-request.js';

/** Runs a request step: render, send, judge. Every outcome is a StepResult, never an exception. */
export async function executeRequestStep(step: Step & { action: RequestAction }, context: StepContext): Promise<StepResult> {
  const started = performance.now();
  let request: Omit<HttpRequest, 'timeoutMs'>;
  try {
    request = renderRequest(step.action.request, context);
  } catch (error) {
    if (!(error instanceof MissingValueError) && !(error instanceof RenderProblem)) throw error;
    return { name: step.name, status: 'failed', durationMs: performance.now() - started, ...failure('template', error.message) };
  }
  const exchange = await sendStepRequest(step.name, request, step.action.request.timeoutMs, context);
  if (!exchange.response) return exchange.unanswered;
  const { response, measured } = exchange;
  const view = responseView(response.status, response.headers, response.body, exchange.durationMs);
  const problem = checkResponse(step, view, context);
  if (!problem) return passedStep(measured, response.status);
  return {
    ...measured,
    status: 'failed',
    httpStatus: response.status,
    ...problem,
    response: responseExcerpt(response.status, response.headers, view.text()),
  };
}
