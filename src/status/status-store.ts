import type { Monitor } from '../core/monitor.js';
import type { RunResult } from '../core/results.js';
import type { RunObserver } from '../run/observer.js';
import { redactRun } from '../redaction/redact-run.js';
import { RunRecords } from './run-records.js';
import type { RunHistory } from './run-history.js';

export const DEFAULT_HISTORY = 100;
/** Response excerpts (up to 4 KiB each) are kept for this many of a monitor's latest failed runs only. */
export const EXCERPTS_KEPT = 5;

/**
 * Recent runs per monitor, for the API and the status page. Memory is bounded whatever the
 * answers: `history` runs per monitor kept as compact records (run-records.ts), and response
 * excerpts only on the latest few failures. A run is kept as its redacted view (messages and
 * excerpts, which only failures have), so the API and the page only ever read redacted runs.
 */
export class StatusStore implements RunObserver, RunHistory {
  private readonly runs = new Map<string, RunRecords>();
  private readonly skipped = new Map<string, number>();

  constructor(private readonly history = DEFAULT_HISTORY) {}

  runFinished(monitor: Monitor, result: RunResult): void {
    let records = this.runs.get(monitor.name);
    if (!records) this.runs.set(monitor.name, (records = new RunRecords(this.history)));
    records.add(redactRun(result), EXCERPTS_KEPT);
  }

  runSkipped(monitor: Monitor): void {
    this.skipped.set(monitor.name, (this.skipped.get(monitor.name) ?? 0) + 1);
  }

  /** Newest first; at most `limit`. */
  recent(name: string, limit = Infinity): readonly RunResult[] {
    const records = this.runs.get(name);
    if (!records) return [];
    const runs: RunResult[] = [];
    for (let i = 0; i < Math.min(limit, records.length); i++) runs.push(records.at(i, name) as RunResult);
    return runs;
  }

  last(name: string): RunResult | undefined {
    return this.runs.get(name)?.at(0, name);
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
