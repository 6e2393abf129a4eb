import { Counter, Gauge, Histogram, collectDefaultMetrics } from 'prom-client';
import type { Registry } from 'prom-client';
import type { Monitor } from '../core/monitor.js';
import { PHASES } from '../core/results.js';
import { FAILURE_REASONS } from '../core/failure.js';
import type { RunResult } from '../core/results.js';
import type { MonitorCounts } from '../config/catalog.js';
import type { RunObserver } from '../run/observer.js';

/**
 * Buckets for API latencies, in seconds: dense from 5 ms to 1 s where healthy APIs answer, then
 * sparse up to the 60 s default run timeout, so p50/p95 of fast and slow flows both interpolate.
 */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * The contract's metrics on an injected registry, fed by run events. Label values come only from
 * monitor and step names, the reason list and the phase list.
 */
export class MetricsObserver implements RunObserver {
  private readonly monitorUp: Gauge<'monitor'>;
  private readonly runs: Counter<'monitor' | 'result'>;
  private readonly skippedRuns: Counter<'monitor'>;
  private readonly runDuration: Histogram<'monitor'>;
  private readonly lastRun: Gauge<'monitor'>;
  private readonly consecutiveFailures: Gauge<'monitor'>;
  private info: Gauge;
  private readonly stepUp: Gauge<'monitor' | 'step'>;
  private readonly stepDuration: Histogram<'monitor' | 'step'>;
  private readonly stepFailures: Counter<'monitor' | 'step' | 'reason'>;
  private readonly stepStatus: Gauge<'monitor' | 'step'>;
  private readonly stepPhase: Gauge<'monitor' | 'step' | 'phase'>;
  private readonly stepCertExpiry: Gauge<'monitor' | 'step'>;
  private readonly reloadSuccessful: Gauge;
  private readonly configMonitors: Gauge<'state'>;
  private readonly failuresInARow = new Map<string, number>();
  /** Step names that have series, per monitor, so series of removed monitors and steps can be dropped. */
  private readonly seenSteps = new Map<string, Set<string>>();

  constructor(private readonly registry: Registry, options: { processMetrics?: boolean } = {}) {
    const registers = [registry];
    this.monitorUp = new Gauge({ name: 'stepwatch_monitor_up', help: '1 if the last run of the monitor passed, 0 if it failed.', labelNames: ['monitor'], registers });
    this.runs = new Counter({ name: 'stepwatch_monitor_runs_total', help: 'Runs of the monitor, by result.', labelNames: ['monitor', 'result'], registers });
    this.skippedRuns = new Counter({ name: 'stepwatch_monitor_skipped_runs_total', help: 'Scheduled runs skipped because the previous run was still going.', labelNames: ['monitor'], registers });
    this.runDuration = new Histogram({ name: 'stepwatch_monitor_run_duration_seconds', help: 'Duration of whole runs, retries included.', labelNames: ['monitor'], buckets: LATENCY_BUCKETS, registers });
    this.lastRun = new Gauge({ name: 'stepwatch_monitor_last_run_timestamp_seconds', help: 'Unix time at which the last run finished.', labelNames: ['monitor'], registers });
    this.consecutiveFailures = new Gauge({ name: 'stepwatch_monitor_consecutive_failures', help: 'Failed runs in a row; 0 after a pass.', labelNames: ['monitor'], registers });
    this.info = this.createInfo([]);
    this.stepUp = new Gauge({ name: 'stepwatch_step_up', help: '1 if the step passed in the last run, 0 if it failed; absent while skipped.', labelNames: ['monitor', 'step'], registers });
    this.stepDuration = new Histogram({ name: 'stepwatch_step_duration_seconds', help: 'Duration of executed steps.', labelNames: ['monitor', 'step'], buckets: LATENCY_BUCKETS, registers });
    this.stepFailures = new Counter({ name: 'stepwatch_step_failures_total', help: 'Step failures, by reason.', labelNames: ['monitor', 'step', 'reason'], registers });
    this.stepStatus = new Gauge({ name: 'stepwatch_step_http_status_code', help: 'HTTP status of the step in its last execution.', labelNames: ['monitor', 'step'], registers });
    this.stepPhase = new Gauge({ name: 'stepwatch_step_phase_duration_seconds', help: 'Phases of the step in its last execution.', labelNames: ['monitor', 'step', 'phase'], registers });
    this.stepCertExpiry = new Gauge({ name: 'stepwatch_step_tls_cert_expiry_timestamp_seconds', help: 'Unix time at which the certificate the step saw expires.', labelNames: ['monitor', 'step'], registers });
    this.reloadSuccessful = new Gauge({ name: 'stepwatch_config_last_reload_successful', help: '1 if the last load of the monitor files found no invalid file.', registers });
    this.configMonitors = new Gauge({ name: 'stepwatch_config_monitors', help: 'Monitor documents by state.', labelNames: ['state'], registers });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  }

  runSkipped(monitor: Monitor): void {
    this.skippedRuns.inc({ monitor: monitor.name });
    if (!this.seenSteps.has(monitor.name)) this.seenSteps.set(monitor.name, new Set());
  }

  runFinished(monitor: Monitor, result: RunResult): void {
    const labels = { monitor: monitor.name };
    const failures = result.passed ? 0 : (this.failuresInARow.get(monitor.name) ?? 0) + 1;
    this.failuresInARow.set(monitor.name, failures);
    this.monitorUp.set(labels, result.passed ? 1 : 0);
    this.runs.inc({ ...labels, result: result.passed ? 'success' : 'failure' });
    this.runDuration.observe(labels, result.durationMs / 1000);
    this.lastRun.set(labels, (result.startedAt + result.durationMs) / 1000);
    this.consecutiveFailures.set(labels, failures);
    const seen = this.seenSteps.get(monitor.name) ?? new Set<string>();
    this.seenSteps.set(monitor.name, seen);
    for (const step of result.steps) {
      const stepLabels = { monitor: monitor.name, step: step.name };
      seen.add(step.name);
      if (step.status === 'skipped') {
        this.stepUp.remove(stepLabels);
        continue;
      }
      this.stepUp.set(stepLabels, step.status === 'passed' ? 1 : 0);
      this.stepDuration.observe(stepLabels, step.durationMs / 1000);
      if (step.reason) this.stepFailures.inc({ ...stepLabels, reason: step.reason });
      // 0 when no answer came (DNS, connection, TLS, timeout), as blackbox_exporter does: a stale 200 would mislead.
      this.stepStatus.set(stepLabels, step.httpStatus ?? 0);
      for (const phase of PHASES) {
        if (step.phases) this.stepPhase.set({ ...stepLabels, phase }, step.phases[phase] / 1000);
      }
      if (step.tlsCertExpiresAt !== undefined) this.stepCertExpiry.set(stepLabels, step.tlsCertExpiresAt);
    }
  }

  /** Brings the config metrics and the info series in line with the monitors in force; drops series of gone monitors and steps. */
  configLoaded(monitors: Monitor[], counts: MonitorCounts, reloadSuccessful: boolean): void {
    this.reloadSuccessful.set(reloadSuccessful ? 1 : 0);
    for (const state of ['active', 'invalid', 'disabled'] as const) this.configMonitors.set({ state }, counts[state]);
    const labelNames = [...new Set(monitors.flatMap((monitor) => Object.keys(monitor.labels)))].sort();
    this.registry.removeSingleMetric('stepwatch_monitor_info');
    this.info = this.createInfo(labelNames);
    for (const monitor of monitors) {
      const sorted = Object.entries(monitor.labels).sort(([a], [b]) => a.localeCompare(b));
      this.info.set(Object.fromEntries([['monitor', monitor.name], ...sorted]), 1);
    }
    this.forgetAllBut(monitors);
  }

  private createInfo(labelNames: string[]): Gauge {
    return new Gauge({
      name: 'stepwatch_monitor_info',
      help: 'Always 1; carries the monitor\'s constant labels.',
      labelNames: ['monitor', ...labelNames],
      registers: [this.registry],
    });
  }

  private forgetAllBut(monitors: Monitor[]): void {
    const keep = new Map(monitors.map((monitor) => [monitor.name, new Set(monitor.steps.map((step) => step.name))]));
    for (const [name, steps] of this.seenSteps) {
      const keptSteps = keep.get(name);
      for (const step of steps) {
        if (keptSteps?.has(step)) continue;
        this.forgetStep(name, step);
        steps.delete(step);
      }
      if (keptSteps) continue;
      const labels = { monitor: name };
      for (const metric of [this.monitorUp, this.skippedRuns, this.runDuration, this.lastRun, this.consecutiveFailures]) metric.remove(labels);
      for (const result of ['success', 'failure']) this.runs.remove({ ...labels, result });
      this.seenSteps.delete(name);
      this.failuresInARow.delete(name);
    }
  }

  private forgetStep(monitor: string, step: string): void {
    const labels = { monitor, step };
    for (const metric of [this.stepUp, this.stepDuration, this.stepStatus, this.stepCertExpiry]) metric.remove(labels);
    for (const reason of FAILURE_REASONS) this.stepFailures.remove({ ...labels, reason });
    for (const phase of PHASES) this.stepPhase.remove({ ...labels, phase });
  }
}
