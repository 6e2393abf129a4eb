import type { RunResult } from '../core/results.js';

/** A run as the history keeps it; in cluster mode with the instance and location that ran it. */
export type RecordedRun = RunResult & { instance?: string; location?: string };

/**
 * What the API and the status page read: the recent runs of each monitor. The StatusStore keeps
 * this process's runs in memory; cluster mode reads every instance's from the database.
 */
export interface RunHistory {
  /** Newest first; at most `limit`. */
  recent(name: string, limit?: number): readonly RecordedRun[];
  last(name: string): RecordedRun | undefined;
  /** Ticks skipped because the previous run was still going (this process's count). */
  skippedRuns(name: string): number;
}
