import { collectDefaultMetrics } from 'prom-client';
import type { Registry } from 'prom-client';
import type { Monitor } from '../core/monitor.js';
import { FAILURE_REASONS } from '../core/failure.js';
import type { FailureReason } from '../core/failure.js';
import { PHASES } from '../core/results.js';
import type { PhaseTimings, RunResult } from '../core/results.js';
import type { MonitorCounts } from '../config/catalog.js';
import type { RunObserver } from '../run/observer.js';
import { HistogramState, TextBuilder, header, labelPair, sample } from './exposition.js';

/**
 * Buckets for API latencies, in seconds: dense from 5 ms to 1 s where healthy APIs answer, then
 * sparse up to the 60 s default run timeout, so p50/p95 of fast and slow flows both interpolate.
 */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const BUCKET_LABELS = LATENCY_BUCKETS.map((bound) => `le="${bound}"`);

interface StepSeries {
  labels: string;
  up?: number;
  duration: HistogramState;
  failures: Map<FailureReason, number>;
  status?: number;
  phases?: PhaseTimings;
  certExpiry?: number;
}

interface MonitorSeries {
  labels: string;
  up?: number;
  success: number;
  failure: number;
  skipped: number;
  duration: HistogramState;
  lastRun?: number;
  consecutiveFailures: number;
  steps: Map<string, StepSeries>;
}

/** What /metrics serves: the text and its content type. */
export interface MetricsSource {
  contentType: string;
  render(): Promise<string>;
}

/**
 * The contract's metrics, fed by run events and kept in plain per-monitor records. Label values
 * come only from monitor and step names, the reason list and the phase list. Process metrics
 * come from prom-client on the injected registry.
 */
export class MetricsObserver implements RunObserver, MetricsSource {
  private readonly series = new Map<string, MonitorSeries>();
  private info: string[] = [];
  private reloadSuccessful = 1;
  private counts: MonitorCounts = { active: 0, invalid: 0, disabled: 0 };
  readonly contentType: string;

  constructor(private readonly registry: Registry, options: { processMetrics?: boolean } = {}) {
    this.contentType = registry.contentType;
    if (options.processMetrics ?? true) {
      collectDefaultMetrics({ register: registry });
      // Gauges named like counters, which `promtool check metrics` rejects; the same counts stay
      // available per type in nodejs_active_handles, _requests and _resources.
      for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(name);
    }
  }

  runSkipped(monitor: Monitor): void {
    this.monitorSeries(monitor.name).skipped++;
  }

  runFinished(monitor: Monitor, result: RunResult): void {
    const series = this.monitorSeries(monitor.name);
    series.up = result.passed ? 1 : 0;
    if (result.passed) series.success++;
    else series.failure++;
    series.consecutiveFailures = result.passed ? 0 : series.consecutiveFailures + 1;
    series.duration.observe(result.durationMs / 1000);
    series.lastRun = (result.startedAt + result.durationMs) / 1000;
    for (const step of result.steps) {
      const stepSeries = this.stepSeries(series, step.name);
      if (step.status === 'skipped') {
        delete stepSeries.up;
        continue;
      }
      stepSeries.up = step.status === 'passed' ? 1 : 0;
      stepSeries.duration.observe(step.durationMs / 1000);
      if (step.reason) stepSeries.failures.set(step.reason, (stepSeries.failures.get(step.reason) ?? 0) + 1);
      // 0 when no answer came (DNS, connection, TLS, timeout), as blackbox_exporter does: a stale 200 would mislead.
      stepSeries.status = step.httpStatus ?? 0;
      if (step.phases) stepSeries.phases = step.phases;
      if (step.tlsCertExpiresAt !== undefined) stepSeries.certExpiry = step.tlsCertExpiresAt;
    }
  }

  /** Brings the config metrics and the info series in line with the monitors in force; drops series of gone monitors and steps. */
  configLoaded(monitors: Monitor[], counts: MonitorCounts, reloadSuccessful: boolean): void {
    this.reloadSuccessful = reloadSuccessful ? 1 : 0;
    this.counts = counts;
    this.info = monitors.map((monitor) => {
      const labels = Object.entries(monitor.labels).sort(([a], [b]) => a.localeCompare(b));
      return [labelPair('monitor', monitor.name), ...labels.map(([name, value]) => labelPair(name, value))].join(',');
    });
    const keep = new Map(monitors.map((monitor) => [monitor.name, new Set(monitor.steps.map((step) => step.name))]));
    for (const [name, series] of this.series) {
      const steps = keep.get(name);
      if (!steps) this.series.delete(name);
      else for (const step of series.steps.keys()) if (!steps.has(step)) series.steps.delete(step);
    }
  }

  async render(): Promise<string> {
    const out = new TextBuilder();
    const monitors = [...this.series.values()];
    const steps = monitors.flatMap((m) => [...m.steps.values()]);
    const gauge = (name: string, help: string, rows: Array<[string, number | undefined]>) => {
      header(out, name, 'gauge', help);
      for (const [labels, value] of rows) if (value !== undefined) sample(out, name, labels, value);
    };
    gauge('stepwatch_monitor_up', '1 if the last run of the monitor passed, 0 if it failed.', monitors.map((m) => [m.labels, m.up]));
    header(out, 'stepwatch_monitor_runs_total', 'counter', 'Runs of the monitor, by result.');
    // Both results and the skip counter start at 0, so rate() and increase() see the first change.
    for (const m of monitors) {
      sample(out, 'stepwatch_monitor_runs_total', `${m.labels},result="success"`, m.success);
      sample(out, 'stepwatch_monitor_runs_total', `${m.labels},result="failure"`, m.failure);
    }
    header(out, 'stepwatch_monitor_skipped_runs_total', 'counter', 'Scheduled runs skipped because the previous run was still going.');
    for (const m of monitors) sample(out, 'stepwatch_monitor_skipped_runs_total', m.labels, m.skipped);
    header(out, 'stepwatch_monitor_run_duration_seconds', 'histogram', 'Duration of whole runs, retries included.');
    for (const m of monitors) if (m.duration.count > 0) m.duration.render(out, 'stepwatch_monitor_run_duration_seconds', m.labels, BUCKET_LABELS);
    gauge('stepwatch_monitor_last_run_timestamp_seconds', 'Unix time at which the last run finished.', monitors.map((m) => [m.labels, m.lastRun]));
    gauge('stepwatch_monitor_consecutive_failures', 'Failed runs in a row; 0 after a pass.', monitors.map((m) => [m.labels, m.up === undefined ? undefined : m.consecutiveFailures]));
    gauge('stepwatch_monitor_info', "Always 1; carries the monitor's constant labels.", this.info.map((labels) => [labels, 1]));
    gauge('stepwatch_step_up', '1 if the step passed in the last run, 0 if it failed; absent while skipped.', steps.map((s) => [s.labels, s.up]));
    header(out, 'stepwatch_step_duration_seconds', 'histogram', 'Duration of executed steps.');
    for (const s of steps) if (s.duration.count > 0) s.duration.render(out, 'stepwatch_step_duration_seconds', s.labels, BUCKET_LABELS);
    header(out, 'stepwatch_step_failures_total', 'counter', 'Step failures, by reason.');
    for (const s of steps) for (const reason of FAILURE_REASONS) {
      const count = s.failures.get(reason);
      if (count !== undefined) sample(out, 'stepwatch_step_failures_total', `${s.labels},reason="${reason}"`, count);
    }
    gauge('stepwatch_step_http_status_code', 'HTTP status of the step in its last execution; 0 when no answer came.', steps.map((s) => [s.labels, s.status]));
    header(out, 'stepwatch_step_phase_duration_seconds', 'gauge', 'Phases of the step in its last execution.');
    for (const s of steps) if (s.phases) for (const phase of PHASES) sample(out, 'stepwatch_step_phase_duration_seconds', `${s.labels},phase="${phase}"`, s.phases[phase] / 1000);
    gauge('stepwatch_step_tls_cert_expiry_timestamp_seconds', 'Unix time at which the certificate the step saw expires.', steps.map((s) => [s.labels, s.certExpiry]));
    gauge('stepwatch_config_last_reload_successful', '1 if the last load of the monitor files found no invalid file.', [['', this.reloadSuccessful]]);
    gauge('stepwatch_config_monitors', 'Monitor documents by state.', (['active', 'invalid', 'disabled'] as const).map((state) => [`state="${state}"`, this.counts[state]]));
    out.push(await this.registry.metrics());
    return out.join();
  }

  private monitorSeries(name: string): MonitorSeries {
    let series = this.series.get(name);
    if (!series) {
      series = { labels: labelPair('monitor', name), success: 0, failure: 0, skipped: 0, duration: new HistogramState(LATENCY_BUCKETS), consecutiveFailures: 0, steps: new Map() };
      this.series.set(name, series);
    }
    return series;
  }

  private stepSeries(monitor: MonitorSeries, name: string): StepSeries {
    let series = monitor.steps.get(name);
    if (!series) {
      series = { labels: `${monitor.labels},${labelPair('step', name)}`, duration: new HistogramState(LATENCY_BUCKETS), failures: new Map() };
      monitor.steps.set(name, series);
    }
    return series;
  }
}
