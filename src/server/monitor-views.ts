import type { Monitor } from '../core/monitor.js';
import type { RunResult } from '../core/results.js';
import type { InvalidDocument } from '../config/catalog.js';
import type { RecordedRun, RunHistory } from '../status/run-history.js';
import type { ManualRun } from '../schedule/tick-gate.js';
import { availability } from '../status/history-insights.js';
import type { AvailabilityFigures } from '../status/history-insights.js';
import type { LastOutcome } from '../outcomes/last-outcomes.js';

/** What the server needs from the loaded monitors. */
export interface MonitorDirectory {
  monitors(): Monitor[];
  get(name: string): Monitor | undefined;
  invalid(): InvalidDocument[];
}

/** What the server needs from the scheduler. */
export interface RunControl {
  trigger(name: string): Promise<RunResult | undefined> | undefined;
  /** A run on demand through the tick gate (the daemon's scheduler has it); preferred over trigger when present. */
  requestRun?(name: string): Promise<ManualRun>;
  isRunning(name: string): boolean;
  /** True while stepwatch is shutting down: no run starts any more. */
  isStopped(): boolean;
  nextRun(name: string): Date | undefined;
}

/** Each monitor's last outcome, including one restored from before a restart. */
export interface OutcomeSource {
  get(name: string): LastOutcome | undefined;
}

/** What the views of a monitor read: its kept runs, the scheduler, and its last outcome. */
export interface ViewSources {
  status: RunHistory;
  control: RunControl;
  /** Without it (a test app, a bench), a monitor that has not run here is pending. */
  outcomes?: OutcomeSource;
}

export type MonitorState = 'passing' | 'failing' | 'pending' | 'disabled';

/** A monitor as the API and the page show it: its definition, state and latest run. */
export interface MonitorSummary {
  name: string;
  description: string | null;
  schedule: string;
  timezone: string;
  enabled: boolean;
  labels: Record<string, string>;
  state: MonitorState;
  running: boolean;
  nextRun: string | null;
  skippedRuns: number;
  lastRun: RunView | null;
  /** The last outcome the metrics hold (up, failures in a row); `restored` when it is from before the restart and no run has happened since. */
  lastOutcome: OutcomeView | null;
  /** Passed/failed of recent runs, newest first, for the strip on the page. */
  recent: boolean[];
  /** Total durations (ms) of the same recent runs, newest first, for the sparkline. */
  recentDurationsMs: number[];
  availability: AvailabilityFigures;
}

export interface RunView {
  /** Cluster mode: the instance and location that ran it. */
  instance?: string;
  location?: string;
  startedAt: string;
  durationMs: number;
  passed: boolean;
  attempts: number;
  /** Present when stepwatch's own event loop was late during the run: its timings may be stepwatch's, not the API's. */
  timingDistorted?: true;
  eventLoopDelayMs?: number;
  failedStep: string | null;
  reason: string | null;
  steps: RunResult['steps'];
}

export interface OutcomeView {
  up: boolean;
  consecutiveFailures: number;
  finishedAt: string;
  failedStep: string | null;
  reason: string | null;
  /** True when this outcome was kept from before stepwatch restarted: `lastRun` is null then, its details are gone. */
  restored: boolean;
}

function outcomeView(outcome: LastOutcome): OutcomeView {
  return {
    up: outcome.up,
    consecutiveFailures: outcome.consecutiveFailures,
    finishedAt: new Date(outcome.finishedAt).toISOString(),
    failedStep: outcome.failedStep ?? null,
    reason: outcome.reason ?? null,
    restored: outcome.restored,
  };
}

export function runView(result: RecordedRun): RunView {
  const failed = result.steps.find((step) => step.status === 'failed');
  return {
    ...(result.instance !== undefined ? { instance: result.instance } : {}),
    ...(result.location !== undefined ? { location: result.location } : {}),
    startedAt: new Date(result.startedAt).toISOString(),
    durationMs: Math.round(result.durationMs * 1000) / 1000,
    passed: result.passed,
    attempts: result.attempts,
    ...(result.timingDistorted ? { timingDistorted: true, eventLoopDelayMs: result.eventLoopDelayMs ?? 0 } : {}),
    failedStep: failed?.name ?? null,
    reason: failed?.reason ?? null,
    steps: result.steps,
  };
}

/** From the last kept run; before any run here, from the outcome restored from before the restart. */
export function monitorState(monitor: Monitor, sources: ViewSources): MonitorState {
  if (!monitor.enabled) return 'disabled';
  const last = sources.status.last(monitor.name);
  if (last) return last.passed ? 'passing' : 'failing';
  const outcome = sources.outcomes?.get(monitor.name);
  return !outcome ? 'pending' : outcome.up ? 'passing' : 'failing';
}

/** Rows per overview page: a screenful for people, and a bounded page however many monitors there are. */
export const MONITORS_PER_PAGE = 200;

const STATE_ORDER: Record<MonitorState, number> = { failing: 0, pending: 1, passing: 2, disabled: 3 };

/** One page of the overview: failing monitors first, then by name. */
export interface OverviewPage {
  rows: MonitorSummary[];
  total: number;
  failing: number;
  page: number;
  pages: number;
}

/**
 * Orders every monitor by state (failing first) and summarises only the requested page's, so a
 * page costs the same with a hundred monitors as with ten thousand.
 */
export function overviewOf(monitors: readonly Monitor[], sources: ViewSources, page: number, now = Date.now()): OverviewPage {
  const ranked = monitors.map((monitor) => ({ monitor, state: monitorState(monitor, sources) }));
  const failing = ranked.filter((entry) => entry.state === 'failing').length;
  ranked.sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || (a.monitor.name < b.monitor.name ? -1 : a.monitor.name > b.monitor.name ? 1 : 0));
  const pages = Math.max(1, Math.ceil(ranked.length / MONITORS_PER_PAGE));
  const current = Math.min(Math.max(1, page), pages);
  const rows = ranked.slice((current - 1) * MONITORS_PER_PAGE, current * MONITORS_PER_PAGE).map(({ monitor }) => summarize(monitor, sources, now));
  return { rows, total: ranked.length, failing, page: current, pages };
}

/** How many recent runs the strip and the sparkline show. */
export const RECENT_RUNS_SHOWN = 30;

export function summarize(monitor: Monitor, sources: ViewSources, now = Date.now()): MonitorSummary {
  const { status, control } = sources;
  const last = status.last(monitor.name);
  const outcome = monitor.enabled ? sources.outcomes?.get(monitor.name) : undefined;
  const kept = status.recent(monitor.name);
  const recent = kept.slice(0, RECENT_RUNS_SHOWN);
  const state = monitorState(monitor, sources);
  const next = control.nextRun(monitor.name);
  return {
    name: monitor.name,
    description: monitor.description ?? null,
    schedule: monitor.schedule,
    timezone: monitor.timezone,
    enabled: monitor.enabled,
    labels: monitor.labels,
    state,
    running: control.isRunning(monitor.name),
    nextRun: next ? next.toISOString() : null,
    skippedRuns: status.skippedRuns(monitor.name),
    lastRun: last ? runView(last) : null,
    lastOutcome: outcome ? outcomeView(outcome) : null,
    recent: recent.map((run) => run.passed),
    recentDurationsMs: recent.map((run) => Math.round(run.durationMs * 1000) / 1000),
    availability: availability(kept, now),
  };
}
