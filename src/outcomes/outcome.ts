import type { FailureReason } from '../core/failure.js';
import type { Monitor } from '../core/monitor.js';

/** What a monitor's last run left behind, as alerts need it after a restart. */
export interface MonitorOutcome {
  monitor: string;
  /** The monitor's revision when it ran: an outcome of an older definition is not restored. */
  revision: string;
  up: boolean;
  consecutiveFailures: number;
  /** Unix milliseconds at which the last run finished. */
  finishedAt: number;
  /** The step that failed the run, and why; absent after a pass. */
  failedStep?: string;
  reason?: FailureReason;
}

/**
 * Where last outcomes are kept between restarts. One file in the data folder today; cluster mode
 * may keep them elsewhere, so the daemon only sees this.
 */
export interface OutcomeStore {
  /** The outcomes kept; an unreadable store yields none (and says why through `onError`). */
  load(): Promise<MonitorOutcome[]>;
  /** Records a monitor's latest outcome; written soon, not necessarily before this returns. */
  record(outcome: MonitorOutcome): void;
  /** Forgets monitors that no longer exist. */
  retain(names: ReadonlySet<string>): void;
  /** Writes what is pending and stops; resolves once it is on disk. */
  close(): Promise<void>;
}

/** Whether an outcome kept from before a restart still describes the monitor: same definition, and enabled. */
export function outcomeApplies(monitor: Pick<Monitor, 'enabled' | 'revision'>, outcome: MonitorOutcome): boolean {
  return monitor.enabled && outcome.revision === monitor.revision;
}
