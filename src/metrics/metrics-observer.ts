import { collectDefaultMetrics } from 'prom-client';
import type { Registry } from 'prom-client';
import type { Monitor } from '../core/monitor.js';
import { FAILURE_REASONS } from '../core/failure.js';
import { PHASES } from '../core/results.js';
import type { RunResult } from '../core/results.js';
import type { MonitorCounts } from '../config/catalog.js';
import type { MonitorOutcome } from '../outcomes/outcome.js';
import type { RunObserver } from '../run/observer.js';
import { TextBuilder, header, labelPair, sample } from './exposition.js';
import { LATENCY_BUCKETS, applyDefinition, applyRun, newMonitorSeries, outcomeOf, restoreOutcome } from './monitor-series.js';
import type { MonitorSeries } from './monitor-series.js';

export { LATENCY_BUCKETS } from './monitor-series.js';

const BUCKET_LABELS = LATENCY_BUCKETS.map((bound) => `le="${bound}"`);

/** What /metrics serves: the text and its content type. */
export interface MetricsSource {
  contentType: string;
  render(): Promise<string>;
}

export interface MetricsOptions {
  /** Whether prom-client's process metrics are collected on the registry (default true). */
  processMetrics?: boolean;
  /** When a monitor's next scheduled run is due; none while it is not scheduled. */
  nextRun?: (monitor: string) => Date | undefined;
  /** Told each outcome that sets a monitor's state, so it can outlive a restart. */
  onOutcome?: (outcome: MonitorOutcome) => void;
  /** Labels on every monitor and step series (cluster mode: `location`); none by default. */
  constantLabels?: Record<string, string>;
}

/**
 * The contract's metrics, fed by run events and kept in plain per-monitor records. Series exist
 * for the monitors in force only (created when loaded, bound to that definition); label values
 * come only from monitor and step names, the reason list and the phase list. Process metrics
 * come from prom-client on the injected registry.
 */
export class MetricsObserver implements RunObserver, MetricsSource {
  private readonly series = new Map<string, MonitorSeries>();
  private info: string[] = [];
  private reloadSuccessful = 1;
  private counts: MonitorCounts = { active: 0, invalid: 0, disabled: 0 };
  readonly contentType: string;
  private readonly constantLabels: string;

  constructor(
    private readonly registry: Registry,
    private readonly options: MetricsOptions = {},
  ) {
    this.contentType = registry.contentType;
    this.constantLabels = Object.entries(options.constantLabels ?? {}).map(([name, value]) => labelPair(name, value)).join(',');
    if (options.processMetrics ?? true) {
      collectDefaultMetrics({ register: registry });
      // Gauges named like counters, which `promtool check metrics` rejects; the same counts stay
      // available per type in nodejs_active_handles, _requests and _resources.
      for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(name);
    }
  }

  runSkipped(monitor: Monitor): void {
    const series = this.series.get(monitor.name);
    if (series) series.skipped++;
  }

  runFinished(monitor: Monitor, result: RunResult): void {
    // A monitor that is no longer loaded (deleted, renamed) gets no series back from a late run.
    const series = this.series.get(monitor.name);
    if (!series) return;
    if (applyRun(series, monitor, result)) this.options.onOutcome?.(outcomeOf(monitor.name, series, result));
  }

  /** Brings the series in line with the monitors in force: new ones start at 0, gone ones and their steps go, changed ones follow their definition. */
  configLoaded(monitors: Monitor[], counts: MonitorCounts, reloadSuccessful: boolean): void {
    this.reloadSuccessful = reloadSuccessful ? 1 : 0;
    this.counts = counts;
    this.info = monitors.map((monitor) => {
      const labels = Object.entries(monitor.labels).sort(([a], [b]) => a.localeCompare(b));
      return [labelPair('monitor', monitor.name), ...(this.constantLabels ? [this.constantLabels] : []), ...labels.map(([name, value]) => labelPair(name, value))].join(',');
    });
    const names = new Set(monitors.map((monitor) => monitor.name));
    for (const name of this.series.keys()) if (!names.has(name)) this.series.delete(name);
    for (const monitor of monitors) {
      let series = this.series.get(monitor.name);
      if (!series) {
        series = newMonitorSeries(monitor, this.constantLabels);
        this.series.set(monitor.name, series);
      }
      applyDefinition(series, monitor);
    }
  }

  /** A reload that could not read the monitors (the folder is gone, a read threw): the last good ones stay in force. */
  reloadFailed(): void {
    this.reloadSuccessful = 0;
  }

  /** Takes back what the last runs before a restart left (up, failures in a row, the failing step), for the definitions still in force. */
  restore(outcomes: MonitorOutcome[]): number {
    let restored = 0;
    for (const outcome of outcomes) {
      const series = this.series.get(outcome.monitor);
      if (series && restoreOutcome(series, outcome)) restored++;
    }
    return restored;
  }

  async render(): Promise<string> {
    const out = new TextBuilder();
    const monitors = [...this.series.entries()];
    const steps = monitors.flatMap(([, m]) => [...m.steps.values()]);
    const gauge = (name: string, help: string, rows: Array<[string, number | undefined]>) => {
      header(out, name, 'gauge', help);
      for (const [labels, value] of rows) if (value !== undefined) sample(out, name, labels, value);
    };
    gauge('stepwatch_monitor_up', '1 if the last run of the monitor passed, 0 if it failed.', monitors.map(([, m]) => [m.labels, m.up]));
    header(out, 'stepwatch_monitor_runs_total', 'counter', 'Runs of the monitor, by result.');
    // Both results and the skip counter start at 0 when the monitor is loaded, so rate() and increase() see the first change.
    for (const [, m] of monitors) {
      sample(out, 'stepwatch_monitor_runs_total', `${m.labels},result="success"`, m.success);
      sample(out, 'stepwatch_monitor_runs_total', `${m.labels},result="failure"`, m.failure);
    }
    header(out, 'stepwatch_monitor_skipped_runs_total', 'counter', 'Scheduled runs skipped because the previous run was still going.');
    for (const [, m] of monitors) sample(out, 'stepwatch_monitor_skipped_runs_total', m.labels, m.skipped);
    header(out, 'stepwatch_monitor_run_duration_seconds', 'histogram', 'Duration of whole runs, retries included.');
    for (const [, m] of monitors) if (m.duration.count > 0) m.duration.render(out, 'stepwatch_monitor_run_duration_seconds', m.labels, BUCKET_LABELS);
    gauge('stepwatch_monitor_last_run_timestamp_seconds', 'Unix time at which the last run finished.', monitors.map(([, m]) => [m.labels, m.lastRun]));
    const nextRun = this.options.nextRun;
    gauge('stepwatch_monitor_next_run_timestamp_seconds', 'Unix time at which the next scheduled run is due.', nextRun ? monitors.map(([name, m]) => [m.labels, m.enabled ? seconds(nextRun(name)) : undefined]) : []);
    gauge('stepwatch_monitor_consecutive_failures', 'Failed runs in a row; 0 after a pass.', monitors.map(([, m]) => [m.labels, m.consecutiveFailures]));
    gauge('stepwatch_monitor_info', "Always 1; carries the monitor's constant labels.", this.info.map((labels) => [labels, 1]));
    gauge('stepwatch_step_up', '1 if the step passed in the last run, 0 if it failed; absent while skipped.', steps.map((s) => [s.labels, s.up]));
    header(out, 'stepwatch_step_duration_seconds', 'histogram', 'Duration of executed steps.');
    for (const s of steps) if (s.duration.count > 0) s.duration.render(out, 'stepwatch_step_duration_seconds', s.labels, BUCKET_LABELS);
    header(out, 'stepwatch_step_failures_total', 'counter', 'Step failures, by reason; every reason from 0 once the monitor is loaded.');
    for (const s of steps) FAILURE_REASONS.forEach((reason, index) => sample(out, 'stepwatch_step_failures_total', `${s.labels},reason="${reason}"`, s.failures[index] ?? 0));
    gauge('stepwatch_step_last_failure_reason', 'Always 1, for steps whose last executed run failed; the reason label says why.', steps.map((s) => [s.lastFailure ? `${s.labels},reason="${s.lastFailure}"` : '', s.lastFailure ? 1 : undefined]));
    gauge('stepwatch_step_http_status_code', 'HTTP status of the step in its last execution; 0 when a request went out and no answer came.', steps.map((s) => [s.labels, s.status]));
    header(out, 'stepwatch_step_phase_duration_seconds', 'gauge', 'Phases of the step in its last execution.');
    for (const s of steps) if (s.phases) for (const phase of PHASES) sample(out, 'stepwatch_step_phase_duration_seconds', `${s.labels},phase="${phase}"`, s.phases[phase] / 1000);
    gauge('stepwatch_step_tls_cert_expiry_timestamp_seconds', 'Unix time at which the first certificate to expire in the chain the step last saw expires (leaf, intermediates, root).', steps.map((s) => [s.labels, s.certExpiry]));
    gauge('stepwatch_config_last_reload_successful', '1 if the last load of the monitor files succeeded and found no invalid file.', [['', this.reloadSuccessful]]);
    gauge('stepwatch_config_monitors', 'Monitor documents by state.', (['active', 'invalid', 'disabled'] as const).map((state) => [`state="${state}"`, this.counts[state]]));
    out.push(await this.registry.metrics());
    return out.join();
  }
}

function seconds(date: Date | undefined): number | undefined {
  return date === undefined ? undefined : date.getTime() / 1000;
}
