import type pg from 'pg';
import { MAX_START_SPREAD_MS } from '../schedule/start-offset.js';
import { HEARTBEAT_MS } from './membership.js';

/**
 * A run lease held by an instance that has not heartbeated for this long is free: a dead
 * owner's lease must not hold its monitors for a whole run timeout. Two missed heartbeats.
 */
export const LEASE_HOLDER_SILENCE_MS = 2 * HEARTBEAT_MS + 2_000;
/**
 * How long claim rows are kept: they are what stops a tick from running twice, so they must
 * outlive every claim of their tick. A tick is claimed at its cron time plus the monitor's start
 * offset (up to STEPWATCH_START_SPREAD_SECONDS, at most an hour), and the standby 2 s after that;
 * keyed by the cron time, a row pruned 10 minutes after it let a standby run a tick whose offset
 * was 40 minutes a second time. Ten minutes beyond the widest offset, for inspection too.
 */
export const CLAIMS_KEPT_MS = MAX_START_SPREAD_MS + 10 * 60_000;
const CLAIMS_KEPT = `${CLAIMS_KEPT_MS / 1000} seconds`;

/** A tick to claim: the monitor and how long its run may take (timeout × attempts), which bounds its lease. */
export interface TickRequest {
  monitor: string;
  budgetMs: number;
}

/** What a claim got: the tick (no one else runs it), and whether the run lease came with it. */
export interface ClaimResult {
  monitor: string;
  leased: boolean;
}

// A lease is free when it expired, is ours, or its holder went silent.
const LEASE_FREE = `l.until <= now() OR l.instance = excluded.instance
  OR NOT EXISTS (SELECT 1 FROM stepwatch_members m WHERE m.instance = l.instance AND m.heartbeat_at > now() - make_interval(secs => ${LEASE_HOLDER_SILENCE_MS / 1000}))`;

/**
 * The rows that make "exactly once" and "never overlapping" hold across instances:
 * - a claim, unique on (monitor, location, scheduled time): whoever inserts it runs the tick;
 * - a run lease per (monitor, location), taken by the claim in the same statement and given back
 *   when the run ends: a tick claimed while another instance's run of the monitor is still going
 *   (a manual run, or the old owner's run during a handover) is claimed and skipped, as one
 *   instance skips a tick that comes while the previous run is going.
 */
export class Claims {
  constructor(
    private readonly pool: pg.Pool,
    private readonly instance: string,
    private readonly location: string,
  ) {}

  /** Claims one tick of many monitors in one round trip; returns the ones this instance won. */
  async claimTicks(ticks: readonly TickRequest[], scheduledAt: Date): Promise<ClaimResult[]> {
    const { rows } = await this.pool.query<{ monitor: string; leased: boolean }>(
      `WITH wanted AS (
         SELECT * FROM unnest($1::text[], $2::double precision[]) AS w(monitor, budget_ms)
       ), claimed AS (
         INSERT INTO stepwatch_claims (monitor, location, scheduled_at, instance)
         SELECT monitor, $3, $4, $5 FROM wanted
         ON CONFLICT DO NOTHING
         RETURNING monitor
       ), leased AS (
         INSERT INTO stepwatch_run_leases AS l (monitor, location, instance, claim_at, until)
         SELECT c.monitor, $3, $5, $4, now() + make_interval(secs => w.budget_ms / 1000)
         FROM claimed c JOIN wanted w USING (monitor)
         ON CONFLICT (monitor, location) DO UPDATE SET instance = excluded.instance, claim_at = excluded.claim_at, until = excluded.until
         WHERE ${LEASE_FREE}
         RETURNING monitor
       )
       SELECT c.monitor, l.monitor IS NOT NULL AS leased FROM claimed c LEFT JOIN leased l USING (monitor)`,
      [ticks.map((tick) => tick.monitor), ticks.map((tick) => tick.budgetMs), this.location, scheduledAt, this.instance],
    );
    return rows;
  }

  /** A manual run: the lease first (refused while a run of the monitor goes on anywhere), then its claim row. Returns its claim time, or undefined when busy. */
  async claimManual(monitor: string, budgetMs: number): Promise<Date | undefined> {
    const { rows } = await this.pool.query<{ claim_at: Date }>(
      `WITH leased AS (
         INSERT INTO stepwatch_run_leases AS l (monitor, location, instance, claim_at, until)
         VALUES ($1, $2, $3, date_trunc('milliseconds', clock_timestamp()), now() + make_interval(secs => $4::double precision / 1000))
         ON CONFLICT (monitor, location) DO UPDATE SET instance = excluded.instance, claim_at = excluded.claim_at, until = excluded.until
         WHERE ${LEASE_FREE}
         RETURNING claim_at
       )
       INSERT INTO stepwatch_claims (monitor, location, scheduled_at, instance, manual)
       SELECT $1, $2, claim_at, $3, true FROM leased
       ON CONFLICT DO NOTHING
       RETURNING scheduled_at AS claim_at`,
      [monitor, this.location, this.instance, budgetMs],
    );
    return rows[0]?.claim_at;
  }

  /** Gives back the leases of runs that ended; a lease since taken by a newer claim is left alone. */
  async release(runs: ReadonlyArray<{ monitor: string; claimAt: Date }>): Promise<void> {
    if (runs.length === 0) return;
    await this.pool.query(
      `UPDATE stepwatch_run_leases l SET until = now()
       FROM unnest($1::text[], $2::timestamptz[]) AS r(monitor, claim_at)
       WHERE l.monitor = r.monitor AND l.location = $3 AND l.instance = $4 AND l.claim_at = r.claim_at`,
      [runs.map((run) => run.monitor), runs.map((run) => run.claimAt), this.location, this.instance],
    );
  }

  /** Deletes claims old enough that their ticks can no longer be claimed, and leases of long-gone runs. */
  async prune(): Promise<number> {
    const claims = await this.pool.query(`DELETE FROM stepwatch_claims WHERE scheduled_at < now() - $1::interval`, [CLAIMS_KEPT]);
    await this.pool.query(`DELETE FROM stepwatch_run_leases WHERE until < now() - $1::interval`, [CLAIMS_KEPT]);
    return claims.rowCount ?? 0;
  }
}
