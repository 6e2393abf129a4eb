import type pg from 'pg';
import { FAILURE_REASONS } from '../core/failure.js';
import type { FailureReason } from '../core/failure.js';
import type { Monitor } from '../core/monitor.js';
import type { StepResult } from '../core/results.js';
import type { MonitorOutcome } from '../outcomes/outcome.js';

/**
 * How far back failures in a row are counted: a monitor failing longer than this goes on from
 * this count on its new owner. Alerts compare with small numbers (3 in a row); the bound keeps
 * the read of a monitor that failed for days at a few thousand index entries.
 */
export const RUNS_COUNTED = 1_000;
/** A run of a monitor new here waits at most this long for its state to be read; then it runs, and its count starts afresh. */
export const SEED_WAIT_MS = 2_000;

const REASONS = new Set<string>(FAILURE_REASONS);

interface OutcomeRow {
  monitor: string;
  revision: string | null;
  passed: boolean;
  started_at: Date;
  duration_ms: number;
  steps: Array<Pick<StepResult, 'name' | 'status' | 'reason'>>;
  failures: number;
}

/**
 * Each monitor's outcome in this location as the cluster's run history tells it, whichever
 * instance ran it: the newest run (up, when it finished, the step that failed and why) and the
 * failures in a row before it, counted back to the newest pass (at most RUNS_COUNTED). One
 * statement for all the monitors: a membership change can move hundreds at once. Per monitor it
 * reads the newest row, the newest pass among the latest RUNS_COUNTED, and the failures after it,
 * so a passing monitor costs a few index entries. Monitors without runs here are absent.
 */
export async function readOutcomes(pool: pg.Pool, location: string, names: readonly string[]): Promise<MonitorOutcome[]> {
  if (names.length === 0) return [];
  const { rows } = await pool.query<OutcomeRow>(
    `SELECT m.name AS monitor, n.revision, n.passed, n.started_at, n.duration_ms, n.steps, f.failures
     FROM unnest($1::text[]) AS m(name)
     CROSS JOIN LATERAL (
       SELECT id, revision, passed, started_at, duration_ms, steps FROM stepwatch_runs
       WHERE monitor = m.name AND location = $2 ORDER BY id DESC LIMIT 1) n
     LEFT JOIN LATERAL (
       SELECT w.id FROM (SELECT id, passed FROM stepwatch_runs WHERE monitor = m.name AND location = $2 ORDER BY id DESC LIMIT $3) w
       WHERE w.passed ORDER BY w.id DESC LIMIT 1) p ON true
     CROSS JOIN LATERAL (
       SELECT count(*)::integer AS failures FROM (
         SELECT 1 FROM stepwatch_runs WHERE monitor = m.name AND location = $2 AND id > COALESCE(p.id, 0) ORDER BY id DESC LIMIT $3) w) f`,
    [names, location, RUNS_COUNTED],
  );
  return rows.flatMap(outcomeOfRow);
}

/** The row as the outcome an instance would have recorded after that run; none for a run without a revision (written before runs had one). */
function outcomeOfRow(row: OutcomeRow): MonitorOutcome[] {
  if (row.revision === null) return [];
  const failed = row.passed ? undefined : row.steps.find((step) => step.status === 'failed');
  // The reason becomes a label value: only one of the known reasons is taken from the database.
  const reason = failed?.reason !== undefined && REASONS.has(failed.reason) ? (failed.reason as FailureReason) : undefined;
  return [
    {
      monitor: row.monitor,
      revision: row.revision,
      up: row.passed,
      consecutiveFailures: row.passed ? 0 : row.failures,
      finishedAt: row.started_at.getTime() + row.duration_ms,
      ...(failed ? { failedStep: failed.name } : {}),
      ...(reason ? { reason } : {}),
    },
  ];
}

export interface HandoverOutcomesDeps {
  /** The outcomes of these monitors (readOutcomes on the cluster's pool). */
  read: (names: readonly string[]) => Promise<MonitorOutcome[]>;
  /** Seeds the series (MetricsObserver.restore: only outcomes of the definition in force, only on series that have not run here). */
  restore: (outcomes: MonitorOutcome[]) => void;
  onError: (error: unknown) => void;
}

/**
 * A monitor's state follows it to its new owner. When monitors come to run here (at start, when
 * members change, on a standby's or a manual run of one owned elsewhere), their outcomes are read
 * from the run history in one query and seeded into their series, so the new owner exports the
 * failures in a row at once and its first run goes on from them. The local outcome file is not
 * used in cluster mode: another instance may have run the monitor since it was written.
 */
export class HandoverOutcomes {
  private here = new Set<string>();
  /** Seeds being read, per monitor: the gate holds a monitor's first run here until its seed is in. */
  private readonly pending = new Map<string, Promise<void>>();

  constructor(private readonly deps: HandoverOutcomesDeps) {}

  /** Seeds the monitors that came to run here since the last call (after their series exist); resolves once seeded or failed. */
  follow(here: ReadonlySet<string>): Promise<void> {
    const arrived = [...here].filter((name) => !this.here.has(name));
    // One that leaves and comes back is seeded again: its series were dropped when it left.
    this.here = new Set(here);
    if (arrived.length === 0) return Promise.resolve();
    const seeding: Promise<void> = this.deps
      .read(arrived)
      .then((outcomes) => this.deps.restore(outcomes))
      .catch(this.deps.onError)
      .finally(() => {
        for (const name of arrived) if (this.pending.get(name) === seeding) this.pending.delete(name);
      });
    for (const name of arrived) this.pending.set(name, seeding);
    return seeding;
  }

  /** Resolves when the seeds of these monitors are in (at most SEED_WAIT_MS); undefined when none is being read, so a run starts at once. */
  ready(monitors: readonly Monitor[]): Promise<void> | undefined {
    const waits = new Set<Promise<void>>();
    for (const monitor of monitors) {
      const seeding = this.pending.get(monitor.name);
      if (seeding) waits.add(seeding);
    }
    if (waits.size === 0) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, SEED_WAIT_MS);
      timer.unref();
    });
    return Promise.race([Promise.all(waits).then(() => undefined), timeout]).finally(() => clearTimeout(timer));
  }
}
