import type { Monitor } from '../core/monitor.js';
import type { RunResult, StepResult } from '../core/results.js';
import type { RunObserver } from '../run/observer.js';
import { redactRun } from '../redaction/redact-run.js';

export const DEFAULT_HISTORY = 100;
/** Response excerpts (up to 4 KiB each) are kept for this many of a monitor's latest failed runs only. */
export const EXCERPTS_KEPT = 5;

/**
 * Recent runs per monitor, for the API and the status page. Memory is bounded whatever the
 * answers: `history` runs per monitor, and response excerpts only on the latest few failures.
 * A run is kept as its redacted view (messages and excerpts, which only failures have), so the API
 * and the page only ever read redacted runs.
 */
export class StatusStore implements RunObserver {
  private readonly runs = new Map<string, RunResult[]>();
  private readonly skipped = new Map<string, number>();

  constructor(private readonly history = DEFAULT_HISTORY) {}

  runFinished(monitor: Monitor, result: RunResult): void {
    const list = this.runs.get(monitor.name) ?? [];
    list.unshift(redactRun(result));
    if (list.length > this.history) list.length = this.history;
    let failures = 0;
    list.forEach((run, index) => {
      if (run.passed || ++failures <= EXCERPTS_KEPT || !run.steps.some((step) => step.response)) return;
      list[index] = { ...run, steps: run.steps.map(withoutExcerpt) };
    });
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

function withoutExcerpt(step: StepResult): StepResult {
  const copy = { ...step };
  delete copy.response;
  return copy;
}
