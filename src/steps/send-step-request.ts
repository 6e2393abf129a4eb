import { formatDuration } from '../core/duration.js';
import { failure } from '../core/failure.js';
import type { StepResult } from '../core/results.js';
import { sendRequest } from '../http/send-request.js';
import type { HttpRequest, HttpResponse } from '../http/send-request.js';
import type { StepContext } from './step-context.js';

type Measured = Pick<StepResult, 'name' | 'durationMs' | 'phases' | 'tlsCertExpiresAt'>;

/** A response to judge, or the failed result when no complete answer came; `measured` either way. */
export type StepExchange =
  | { measured: Measured; response: HttpResponse; durationMs: number }
  | { measured: Measured; response?: undefined; unanswered: StepResult };

/**
 * The result of a step whose answer passed, its fields in the order a spread of `measured` gave
 * (JSON shows them so). Written out because that spread was the costliest line of a passing step.
 */
export function passedStep(measured: Measured, httpStatus: number): StepResult {
  const { name, durationMs, phases, tlsCertExpiresAt } = measured;
  if (tlsCertExpiresAt === undefined) return { name, durationMs, phases, status: 'passed', httpStatus };
  return { name, durationMs, phases, tlsCertExpiresAt, status: 'passed', httpStatus };
}

/**
 * Sends a step's request within the step's timeout and what is left of the run's budget, whichever
 * is shorter, saying in the failure which one ran out. Shared by every step kind that sends HTTP.
 */
export async function sendStepRequest(stepName: string, request: Omit<HttpRequest, 'timeoutMs'>, stepTimeoutMs: number, context: StepContext): Promise<StepExchange> {
  const budget = context.deadline - performance.now();
  const runBound = budget < stepTimeoutMs;
  // The rendered request belongs to this step alone, so the limits go onto it: copying it with a
  // spread cost more than the rest of judging a passing step (docs/performance.md).
  const outcome = await sendRequest(
    Object.assign(request, {
      timeoutMs: Math.max(0, Math.min(stepTimeoutMs, budget)),
      timeoutMessage: () =>
        runBound
          ? `the run's timeout of ${formatDuration(context.runTimeoutMs)} ran out during this step`
          : `no complete response within the step's timeout of ${formatDuration(stepTimeoutMs)}`,
    }),
  );
  const measured: Measured = { name: stepName, durationMs: outcome.durationMs, phases: outcome.phases };
  if (outcome.tlsCertExpiresAt !== undefined) measured.tlsCertExpiresAt = outcome.tlsCertExpiresAt;
  if (outcome.response) return { measured, response: outcome.response, durationMs: outcome.durationMs };
  return {
    measured,
    unanswered: {
      ...measured,
      status: 'failed',
      ...(outcome.status !== undefined ? { httpStatus: outcome.status } : {}),
      ...(outcome.failure ?? failure('connection', 'no response')),
    },
  };
}
