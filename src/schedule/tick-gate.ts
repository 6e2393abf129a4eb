import type { Monitor } from '../core/monitor.js';
import type { RunResult } from '../core/results.js';

/** Starts one run of a monitor (the scheduler's own start, with its no-overlap rule); undefined when it did not start. */
export type StartRun = (monitor: Monitor) => Promise<RunResult | undefined> | undefined;

/** Why a manual run was not started. */
export type ManualRefusal = 'in_progress' | 'shutting_down' | 'database_unavailable' | 'not_in_location';

/** A manual run: started (its result to come), or refused with a reason. */
export type ManualRun = { run: Promise<RunResult | undefined> } | { refused: ManualRefusal };

/**
 * What the scheduler asks before it runs a tick. Alone, the answer is always yes, at once; in
 * cluster mode (src/cluster/) it is a claim in the database, so one instance runs each tick.
 */
export interface TickGate {
  /** Calls `start` for each of `due` (monitors whose tick `scheduledAt` came and that are not running here) that this instance runs. */
  admit(due: readonly Monitor[], scheduledAt: Date, start: StartRun): void;
  /** A run on demand (POST /api/monitors/:name/run), started by `start` if this instance may run it now. */
  manual(monitor: Monitor, start: StartRun): Promise<ManualRun>;
}

/** The single-instance gate: every tick and every manual run is ours. */
export const ALONE: TickGate = {
  admit(due, _scheduledAt, start) {
    for (const monitor of due) void start(monitor);
  },
  async manual(monitor, start) {
    const run = start(monitor);
    return run ? { run } : { refused: 'in_progress' };
  },
};
