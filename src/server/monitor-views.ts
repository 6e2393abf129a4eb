import type { Monitor } from '../core/monitor.js';
import type { RunResult } from '../core/results.js';
import type { InvalidDocument } from '../config/catalog.js';
import type { StatusStore } from '../status/status-store.js';

/** What the server needs from the loaded monitors. */
export interface MonitorDirectory {
  monitors(): Monitor[];
  get(name: string): Monitor | undefined;
  invalid(): InvalidDocument[];
}

/** What the server needs from the scheduler. */
export interface RunControl {
  trigger(name: string): Promise<RunResult | undefined> | undefined;
  isRunning(name: string): boolean;
  /** True while stepwatch is shutting down: no run starts any more. */
  isStopped(): boolean;
  nextRun(name: string): Date | undefined;
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
  /** Passed/failed of recent runs, newest first, for the strip on the page. */
  recent: boolean[];
}

export interface RunView {
  startedAt: string;
  durationMs: number;
  passed: boolean;
  attempts: number;
  failedStep: string | null;
  reason: string | null;
  steps: RunResult['steps'];
}

export function runView(result: RunResult): RunView {
  const failed = result.steps.find((step) => step.status === 'failed');
  return {
    startedAt: new Date(result.startedAt).toISOString(),
    durationMs: Math.round(result.durationMs * 1000) / 1000,
    passed: result.passed,
    attempts: result.attempts,
    failedStep: failed?.name ?? null,
    reason: failed?.reason ?? null,
    steps: result.steps,
  };
}

export function summarize(monitor: Monitor, status: StatusStore, control: RunControl): MonitorSummary {
  const last = status.last(monitor.name);
  const state: MonitorState = !monitor.enabled ? 'disabled' : !last ? 'pending' : last.passed ? 'passing' : 'failing';
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
    recent: status.recent(monitor.name).slice(0, 30).map((run) => run.passed),
  };
}
