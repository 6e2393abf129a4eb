import type { Monitor } from '../core/monitor.js';
import { FAILURE_REASONS } from '../core/failure.js';
import type { FailureReason } from '../core/failure.js';
import type { PhaseTimings, RunResult, StepResult } from '../core/results.js';
import type { MonitorOutcome } from '../outcomes/outcome.js';
import { HistogramState, labelPair } from './exposition.js';

/**
 * Buckets for API latencies, in seconds: dense from 5 ms to 1 s where healthy APIs answer, with
 * 0.75, 1.5 and 2 s where latency assertions usually sit, then sparse up to the 60 s default run
 * timeout, so p50/p95 of fast and slow flows both interpolate.
 */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 5, 10, 30, 60];

const REASON_INDEX = new Map<FailureReason, number>(FAILURE_REASONS.map((reason, index) => [reason, index]));

/** One step's series. Gauges are `undefined` when the last execution did not measure them: no sample then. */
export interface StepSeries {
  labels: string;
  up?: number;
  duration: HistogramState;
  /** Failures per reason, indexed like FAILURE_REASONS: every reason exists at 0 from load on. */
  failures: number[];
  status?: number;
  phases?: PhaseTimings;
  certExpiry?: number;
  /** The reason of the failure of the step's last executed run; absent once it passes. */
  lastFailure?: FailureReason;
}

/** One monitor's series, bound to the definition in force (its revision). */
export interface MonitorSeries {
  /** `monitor="…"` and the constant labels, escaped: what every series of the monitor carries. */
  labels: string;
  /** Those and the monitor's own labels, for stepwatch_monitor_info. */
  infoLabels: string;
  revision: string;
  enabled: boolean;
  up?: number;
  success: number;
  failure: number;
  skipped: number;
  duration: HistogramState;
  lastRun?: number;
  consecutiveFailures?: number;
  steps: Map<string, StepSeries>;
}

/** Labels added to every series of every monitor (such as `location` in cluster mode), as name → value. */
export type ConstantLabels = Readonly<Record<string, string>>;

export function newMonitorSeries(monitor: Monitor, constantLabels: ConstantLabels = {}): MonitorSeries {
  const labels = [labelPair('monitor', monitor.name), ...Object.entries(constantLabels).map(([name, value]) => labelPair(name, value))].join(',');
  return {
    labels,
    infoLabels: labels,
    revision: monitor.revision,
    enabled: monitor.enabled,
    success: 0,
    failure: 0,
    skipped: 0,
    duration: new HistogramState(LATENCY_BUCKETS),
    steps: new Map(),
  };
}

/**
 * Binds the series to the definition now in force: steps follow its steps (in its order; a removed
 * or renamed step's series go), and a disabled monitor keeps its counters but no state gauges.
 */
export function applyDefinition(series: MonitorSeries, monitor: Monitor, constantLabels: ConstantLabels = {}): void {
  // A monitor's own label cannot shadow a constant one (Prometheus refuses a label given twice).
  const own = Object.entries(monitor.labels).filter(([name]) => !Object.hasOwn(constantLabels, name)).sort(([a], [b]) => a.localeCompare(b));
  series.infoLabels = [series.labels, ...own.map(([name, value]) => labelPair(name, value))].join(',');
  series.revision = monitor.revision;
  series.enabled = monitor.enabled;
  const steps = new Map<string, StepSeries>();
  for (const step of monitor.steps) {
    steps.set(step.name, series.steps.get(step.name) ?? { labels: `${series.labels},${labelPair('step', step.name)}`, duration: new HistogramState(LATENCY_BUCKETS), failures: FAILURE_REASONS.map(() => 0) });
  }
  series.steps = steps;
  if (!monitor.enabled) clearState(series);
}

function clearState(series: MonitorSeries): void {
  delete series.up;
  delete series.lastRun;
  delete series.consecutiveFailures;
  for (const step of series.steps.values()) {
    delete step.up;
    delete step.status;
    delete step.phases;
    delete step.certExpiry;
    delete step.lastFailure;
  }
}

/**
 * Counts a finished run. Its state (up, failures in a row, step gauges) is taken only when it ran
 * the definition still in force on an enabled monitor: a run that was in flight while the monitor
 * changed or was disabled must not bring back what the change removed. Returns whether it was.
 */
export function applyRun(series: MonitorSeries, monitor: Monitor, result: RunResult): boolean {
  if (result.passed) series.success++;
  else series.failure++;
  series.duration.observe(result.durationMs / 1000);
  const current = series.enabled && monitor.revision === series.revision;
  for (const step of result.steps) {
    const stepSeries = series.steps.get(step.name);
    if (!stepSeries || step.status === 'skipped') continue;
    stepSeries.duration.observe(step.durationMs / 1000);
    const reasonIndex = step.reason === undefined ? undefined : REASON_INDEX.get(step.reason);
    if (reasonIndex !== undefined) stepSeries.failures[reasonIndex] = (stepSeries.failures[reasonIndex] ?? 0) + 1;
  }
  if (!current) return false;
  series.up = result.passed ? 1 : 0;
  series.consecutiveFailures = result.passed ? 0 : (series.consecutiveFailures ?? 0) + 1;
  series.lastRun = (result.startedAt + result.durationMs) / 1000;
  for (const step of result.steps) {
    const stepSeries = series.steps.get(step.name);
    if (stepSeries) applyStepState(stepSeries, step);
  }
  return true;
}

function applyStepState(series: StepSeries, step: StepResult): void {
  if (step.status === 'skipped') {
    // Not executed: nothing was measured. The last failure stays, as it is the last *executed* one.
    delete series.up;
    delete series.status;
    delete series.phases;
    delete series.certExpiry;
    return;
  }
  series.up = step.status === 'passed' ? 1 : 0;
  // 0 when a request went out and no answer came (as blackbox_exporter does); no sample when no
  // request went out at all (a reused token, a value that could not be rendered).
  const status = step.httpStatus ?? (step.phases ? 0 : undefined);
  if (status === undefined) delete series.status;
  else series.status = status;
  if (step.phases) series.phases = step.phases;
  else delete series.phases;
  if (step.tlsCertExpiresAt === undefined) delete series.certExpiry;
  else series.certExpiry = step.tlsCertExpiresAt;
  if (step.status === 'passed') delete series.lastFailure;
  else if (step.reason) series.lastFailure = step.reason;
}

/** The outcome of the last run whose state the series took. */
export function outcomeOf(name: string, series: MonitorSeries, result: RunResult): MonitorOutcome {
  const failed = result.steps.find((step) => step.status === 'failed');
  return {
    monitor: name,
    revision: series.revision,
    up: result.passed,
    consecutiveFailures: series.consecutiveFailures ?? 0,
    finishedAt: result.startedAt + result.durationMs,
    ...(failed ? { failedStep: failed.name } : {}),
    ...(failed?.reason ? { reason: failed.reason } : {}),
  };
}

/** Takes back the state a restart would have forgotten, if the outcome is of the definition in force. */
export function restoreOutcome(series: MonitorSeries, outcome: MonitorOutcome): boolean {
  if (!series.enabled || outcome.revision !== series.revision || series.up !== undefined) return false;
  series.up = outcome.up ? 1 : 0;
  series.consecutiveFailures = outcome.consecutiveFailures;
  series.lastRun = outcome.finishedAt / 1000;
  const step = outcome.failedStep === undefined ? undefined : series.steps.get(outcome.failedStep);
  if (step && !outcome.up) {
    step.up = 0;
    if (outcome.reason) step.lastFailure = outcome.reason;
  }
  return true;
}
