import type { Monitor } from '../core/monitor.js';
import type { RunResult, StepResult } from '../core/results.js';

/** What was thrown, in one line: `TypeError: x is not a function`; never a stack (it can hold secrets and paths). */
export function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) return `${thrown.name}: ${thrown.message}`.replace(/\s+/g, ' ').trim();
  try {
    return `${typeof thrown} ${String(thrown)}`;
  } catch {
    return typeof thrown;
  }
}

/** The result of a step whose executor threw: a bug in stepwatch, reported as a step that failed with `internal`. */
export function internalStepFailure(name: string, durationMs: number, thrown: unknown): StepResult {
  return {
    name,
    status: 'failed',
    durationMs,
    reason: 'internal',
    message: `stepwatch failed inside this step (${describeThrown(thrown)}); please report it`,
  };
}

/**
 * The result of an attempt that broke outside any step: the steps that ran keep their status, the
 * one that failed (or was running) fails with `internal`. Like every message, this one is
 * redacted where the result leaves (redaction/redact-run.ts).
 */
export function brokenAttempt(monitor: Monitor, base: Omit<RunResult, 'passed' | 'steps'>, done: StepResult[], thrown: unknown): RunResult {
  const firstFailed = done.findIndex((step) => step.status === 'failed');
  const culprit = firstFailed >= 0 ? firstFailed : Math.min(done.length, monitor.steps.length - 1);
  const message = `stepwatch failed while running this monitor (${describeThrown(thrown)}); please report it`;
  const steps = monitor.steps.map((step, index): StepResult => {
    const ran = done[index];
    const durationMs = ran?.durationMs ?? 0;
    if (index === culprit) return { name: step.name, status: 'failed', durationMs, reason: 'internal', message };
    if (index > culprit || !ran) return { name: step.name, status: 'skipped', durationMs: 0 };
    return { name: step.name, status: ran.status, durationMs, ...(ran.httpStatus !== undefined ? { httpStatus: ran.httpStatus } : {}) };
  });
  return { ...base, passed: false, steps };
}
