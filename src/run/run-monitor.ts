import type { Monitor, Step } from '../core/monitor.js';
import type { RunResult, StepResult } from '../core/results.js';
import { Redactor } from '../redaction/redactor.js';
import { attachSecrets } from '../redaction/redact-run.js';
import { executeStep } from '../steps/registry.js';
import type { RunObserver } from './observer.js';
import { brokenAttempt, internalStepFailure } from './internal-failure.js';
import type { OAuth2Services, StepContext } from '../steps/step-context.js';
import { distortion } from './loop-delay.js';
import type { LoopDelayMeter } from './loop-delay.js';

export interface RunDeps {
  observer?: RunObserver;
  env?: NodeJS.ProcessEnv;
  /** The process-wide secret set (secret env values the monitors use); each run adds its own in a child. */
  redactor?: Redactor;
  now?: () => number;
  /** Token reuse and the refresh-token store, for oauth2 steps. */
  oauth2?: OAuth2Services;
  /** Tells whether stepwatch's own event loop was late during the run (then the result says its timing is distorted). */
  loopDelay?: LoopDelayMeter;
}

/**
 * Runs a monitor once: steps in order, the first failure skips the rest, a failed attempt is
 * re-run up to `retries` times, each attempt bounded by the monitor's timeout. The run's secrets
 * are registered in one set for all its attempts and travel with the result; whoever shows the
 * result redacts it (redaction/redact-run.ts), so a result nobody shows costs nothing to redact.
 */
export async function runMonitor(monitor: Monitor, deps: RunDeps = {}): Promise<RunResult> {
  const now = deps.now ?? Date.now;
  deps.observer?.runStarted?.(monitor);
  let result: RunResult | undefined;
  const secrets = deps.redactor ? deps.redactor.child() : new Redactor();
  for (let attempt = 1; attempt <= monitor.retries + 1; attempt++) {
    result = attachSecrets(await runAttempt(monitor, attempt, deps, now, secrets), secrets);
    deps.observer?.attemptFinished?.(monitor, result);
    if (result.passed) break;
  }
  const final = result as RunResult;
  deps.observer?.runFinished?.(monitor, final);
  return final;
}

/**
 * One attempt. Nothing thrown inside it escapes (docs/monitors.md, "Runs"): a step whose executor
 * throws fails with `internal`, and if the attempt itself breaks, it still ends as a failed result.
 */
async function runAttempt(monitor: Monitor, attempt: number, deps: RunDeps, now: () => number, redactor: Redactor): Promise<RunResult> {
  const startedAt = now();
  const started = performance.now();
  const steps: StepResult[] = [];
  // Written out, not spread: spreading these objects cost more than the rest of a passing run.
  const finished = (passed: boolean): RunResult => {
    const durationMs = performance.now() - started;
    const late = distortion(deps.loopDelay, started);
    if (!late) return { monitor: monitor.name, startedAt, durationMs, attempts: attempt, passed, steps };
    return { monitor: monitor.name, startedAt, durationMs, attempts: attempt, timingDistorted: true, eventLoopDelayMs: late.eventLoopDelayMs, passed, steps };
  };
  try {
    const context: StepContext = {
      custom: new Map<string, string>(),
      env: deps.env ?? process.env,
      fileValues: monitor.fileValues,
      redactor,
      deadline: started + monitor.timeoutMs,
      runTimeoutMs: monitor.timeoutMs,
      monitor: monitor.name,
      oauth2: deps.oauth2,
      onUnauthorized: [],
    };
    let failed = false;
    for (const step of monitor.steps) {
      if (failed) {
        steps.push({ name: step.name, status: 'skipped', durationMs: 0 });
        continue;
      }
      const stepResult = await executeGuarded(step, context);
      steps.push(stepResult);
      failed = stepResult.status === 'failed';
      if (stepResult.httpStatus === 401) for (const drop of context.onUnauthorized) drop();
    }
    return finished(!failed);
  } catch (error) {
    return brokenAttempt(monitor, finished(false), steps, error);
  }
}

async function executeGuarded(step: Step, context: StepContext): Promise<StepResult> {
  const started = performance.now();
  try {
    return await executeStep(step, context);
  } catch (error) {
    return internalStepFailure(step.name, performance.now() - started, error);
  }
}
