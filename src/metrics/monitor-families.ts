import { FAILURE_REASONS } from '../core/failure.js';
import { PHASES } from '../core/results.js';
import { header, sample } from './exposition.js';
import type { MetricType } from './exposition.js';
import { LATENCY_BUCKETS } from './monitor-series.js';
import type { MonitorSeries, StepSeries } from './monitor-series.js';

const BUCKET_LABELS = LATENCY_BUCKETS.map((bound) => `le="${bound}"`);
const REASON_LABELS = FAILURE_REASONS.map((reason) => `,reason="${reason}"`);
const PHASE_LABELS = PHASES.map((phase) => `,phase="${phase}"`);

/**
 * A metric family of the contract with one group of lines per monitor. `lines` renders a
 * monitor's group from its series when the series change; a family without it is rendered at
 * scrape time (its value comes from elsewhere, as the scheduler's next run).
 */
export interface MonitorFamily {
  name: string;
  type: MetricType;
  help: string;
  /** The header lines, written once per scrape. */
  header: string;
  lines?: (series: MonitorSeries) => string;
}

function family(name: string, type: MetricType, help: string, lines?: (series: MonitorSeries) => string): MonitorFamily {
  return { name, type, help, header: header(name, type, help), ...(lines ? { lines } : {}) };
}

function perStep(series: MonitorSeries, line: (step: StepSeries) => string): string {
  let text = '';
  for (const step of series.steps.values()) text += line(step);
  return text;
}

export const NEXT_RUN_FAMILY = 'stepwatch_monitor_next_run_timestamp_seconds';

/** A set of families, as bits of their indexes in MONITOR_FAMILIES. */
export type FamilyMask = number;

/** The per-monitor families, in the order of the exposition (each family's lines stay together). */
export const MONITOR_FAMILIES: readonly MonitorFamily[] = [
  family('stepwatch_monitor_up', 'gauge', '1 if the last run of the monitor passed, 0 if it failed.', (m) => sample('stepwatch_monitor_up', m.labels, m.up)),
  // Both results and the skip counter start at 0 when the monitor is loaded, so rate() and increase() see the first change.
  family('stepwatch_monitor_runs_total', 'counter', 'Runs of the monitor, by result.', (m) => sample('stepwatch_monitor_runs_total', `${m.labels},result="success"`, m.success) + sample('stepwatch_monitor_runs_total', `${m.labels},result="failure"`, m.failure)),
  family('stepwatch_monitor_skipped_runs_total', 'counter', 'Scheduled runs skipped because the previous run was still going.', (m) => sample('stepwatch_monitor_skipped_runs_total', m.labels, m.skipped)),
  family('stepwatch_monitor_run_duration_seconds', 'histogram', 'Duration of whole runs, retries included.', (m) => (m.duration.count > 0 ? m.duration.render('stepwatch_monitor_run_duration_seconds', m.labels, BUCKET_LABELS) : '')),
  family('stepwatch_monitor_last_run_timestamp_seconds', 'gauge', 'Unix time at which the last run finished.', (m) => sample('stepwatch_monitor_last_run_timestamp_seconds', m.labels, m.lastRun)),
  family(NEXT_RUN_FAMILY, 'gauge', 'Unix time at which the next scheduled run is due.'),
  family('stepwatch_monitor_consecutive_failures', 'gauge', 'Failed runs in a row; 0 after a pass.', (m) => sample('stepwatch_monitor_consecutive_failures', m.labels, m.consecutiveFailures)),
  family('stepwatch_monitor_info', 'gauge', "Always 1; carries the monitor's constant labels.", (m) => sample('stepwatch_monitor_info', m.infoLabels, 1)),
  family('stepwatch_step_up', 'gauge', '1 if the step passed in the last run, 0 if it failed; absent while skipped.', (m) => perStep(m, (s) => sample('stepwatch_step_up', s.labels, s.up))),
  family('stepwatch_step_duration_seconds', 'histogram', 'Duration of executed steps.', (m) => perStep(m, (s) => (s.duration.count > 0 ? s.duration.render('stepwatch_step_duration_seconds', s.labels, BUCKET_LABELS) : ''))),
  family('stepwatch_step_failures_total', 'counter', 'Step failures, by reason; every reason from 0 once the monitor is loaded.', (m) =>
    perStep(m, (s) => {
      let text = '';
      for (let i = 0; i < REASON_LABELS.length; i++) text += `stepwatch_step_failures_total{${s.labels}${REASON_LABELS[i] ?? ''}} ${s.failures[i] ?? 0}\n`;
      return text;
    }),
  ),
  family('stepwatch_step_last_failure_reason', 'gauge', 'Always 1, for steps whose last executed run failed; the reason label says why.', (m) => perStep(m, (s) => (s.lastFailure ? sample('stepwatch_step_last_failure_reason', `${s.labels},reason="${s.lastFailure}"`, 1) : ''))),
  family('stepwatch_step_http_status_code', 'gauge', 'HTTP status of the step in its last execution; 0 when a request went out and no answer came.', (m) => perStep(m, (s) => sample('stepwatch_step_http_status_code', s.labels, s.status))),
  family('stepwatch_step_phase_duration_seconds', 'gauge', 'Phases of the step in its last execution.', (m) =>
    perStep(m, (s) => {
      const phases = s.phases;
      if (!phases) return '';
      let text = '';
      for (let i = 0; i < PHASES.length; i++) text += sample('stepwatch_step_phase_duration_seconds', `${s.labels}${PHASE_LABELS[i] ?? ''}`, phases[PHASES[i] ?? 'dns'] / 1000);
      return text;
    }),
  ),
  family('stepwatch_step_tls_cert_expiry_timestamp_seconds', 'gauge', 'Unix time at which the first certificate to expire in the chain the step last saw expires (leaf, intermediates, root).', (m) => perStep(m, (s) => sample('stepwatch_step_tls_cert_expiry_timestamp_seconds', s.labels, s.certExpiry))),
];

const bit = (name: string): FamilyMask => 1 << MONITOR_FAMILIES.findIndex((f) => f.name === name);
export const ALL_FAMILIES: FamilyMask = (1 << MONITOR_FAMILIES.length) - 1;
export const SKIP_FAMILIES: FamilyMask = bit('stepwatch_monitor_skipped_runs_total');
/** What a run can change: everything but the skip counter and the labels; the failure counters only when a step failed. */
export const RUN_FAMILIES: FamilyMask = ALL_FAMILIES & ~SKIP_FAMILIES & ~bit('stepwatch_monitor_info') & ~bit('stepwatch_step_failures_total');
export const FAILED_RUN_FAMILIES: FamilyMask = RUN_FAMILIES | bit('stepwatch_step_failures_total');
