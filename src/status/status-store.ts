import type { Monitor } from '../core/monitor.js';
import type { RunResult } from '../core/results.js';
import type { RunObserver } from '../run/observer.js';

export const DEFAULT_HISTORY = 100;
/** Response excerpts (up to 4 KiB each) are kept for this many of a monitor's latest failed runs only. */
export const EXCERPTS_KEPT = 5;

/**
 * Recent runs per monitor, for the API and the status page. Memory is bounded whatever the
 * answers: `history` runs per monitor, and response excerpts only on the latest few failures.
 * Results arrive already redacted from the runner.
 */
export class StatusStore implements RunObserver {
  private readonly runs = new Map<string, RunResult[]>();
  private readonly skipped = new Map<string, number>();

  constructor(private readonly history = DEFAULT_HISTORY) {}

  runFinished(monitor: Monitor, result: RunResult): void {
    const list = this.runs.get(monitor.name) ?? [];
    list.unshift(result);
    if (list.length > this.history) list.length = this.history;
    let failures = 0;
    for (const run of list) {
      if (run.passed) continue;
      failures++;
      if (failures > EXCERPTS_KEPT) for (const step of run.steps) delete step.response;
    }
    this.runs.set(monitor.name, list);
  }

  runSkipped(monitor: Monitor): void {
    this.skipped.set(monitor.name, (this.skipped.get(monitor.name) ?? 0) + 1);
  }

  /** Newest first. */
  recent(name: string): readonly RunResult[] {
    return this.runs.get(name) ?? [];
  }

  last(name: string): RunResult | undefined {
    return this.runs.get(name)?.[0];
  }

  skippedRuns(name: string): number {
    return this.skipped.get(name) ?? 0;
  }

  /** Forgets monitors that are no longer loaded. */
  retain(names: Set<string>): void {
    for (const name of this.runs.keys()) if (!names.has(name)) this.runs.delete(name);
    for (const name of this.skipped.keys()) if (!names.has(name)) this.skipped.delete(name);
  }
}
