import type { Logger } from 'pino';
import type { Monitor } from '../core/monitor.js';
import type { RunResult } from '../core/results.js';
import type { RunObserver } from '../run/observer.js';
import { redactRun } from '../redaction/redact-run.js';
import { logFacts } from './log-facts.js';
import type { Facts } from './log-facts.js';

/**
 * Logs runs: a failed step at warn with monitor, step, reason and a one-line message; details at
 * debug. What is logged is the run's redacted view.
 */
export function logObserver(logger: Logger): RunObserver {
  return {
    runStarted(monitor) {
      logFacts(logger, 'debug', { monitor: monitor.name }, 'run started');
    },
    attemptFinished(monitor, result) {
      if (!result.passed && result.attempts <= monitor.retries) {
        logFacts(logger, 'info', { monitor: monitor.name, attempt: result.attempts, retries: monitor.retries }, 'attempt failed; retrying');
      }
    },
    runFinished(monitor, finished) {
      const result = redactRun(finished);
      for (const step of result.steps) {
        logger.debug({ monitor: monitor.name, step: step.name, status: step.status, httpStatus: step.httpStatus, durationMs: round(step.durationMs), phases: step.phases, response: step.response }, 'step finished');
        if (step.status === 'failed') {
          logFacts(logger, 'warn', { monitor: monitor.name, step: step.name, reason: step.reason, httpStatus: step.httpStatus }, oneLine(step.message ?? 'step failed'));
        }
      }
      logRun(logger, monitor, result);
    },
    runSkipped(monitor) {
      logFacts(logger, 'warn', { monitor: monitor.name }, 'previous run still in progress; this tick was skipped');
    },
  };
}

function logRun(logger: Logger, monitor: Monitor, result: RunResult): void {
  const fields: Facts = { monitor: monitor.name, passed: result.passed, durationMs: round(result.durationMs), attempts: result.attempts };
  // A latency failure of a distorted run may be stepwatch's own overload, not the API's: the line says so.
  if (result.timingDistorted) Object.assign(fields, { timingDistorted: true, eventLoopDelayMs: result.eventLoopDelayMs });
  logFacts(logger, 'info', fields, result.passed ? 'run passed' : 'run failed');
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
