import type { Logger } from 'pino';
import type { Monitor } from '../core/monitor.js';
import type { ManualRun, StartRun, TickGate } from '../schedule/tick-gate.js';
import { CLAIMS_KEPT_MS } from './claims.js';
import type { Claims } from './claims.js';
import type { DatabaseHealth } from './database-health.js';
import type { Placements } from './placements.js';

/** How long a standby waits for a tick's owner to claim it before claiming it itself. */
export const STANDBY_GRACE_MS = 2_000;
/**
 * A claim answered later than this after it was sent is not acted on: the instance was paused
 * (SIGSTOP, a long GC, a frozen VM) or its link to the database stalled, and the tick is too old
 * to run without colliding with the next one. The tick is lost, never run late or twice.
 */
export const CLAIM_FRESH_MS = 1_500;
/** A tick older than this is not claimed: its claim row may already be pruned (claims.ts). */
export const STALE_TICK_MS = CLAIMS_KEPT_MS - 5 * 60_000;
/**
 * A lease is given back this soon after its run ends, in one statement with the others that ended
 * meanwhile. Short, because a lease held after its run ended makes the next tick's claim (after a
 * handover, on another instance) find the monitor busy and skip a tick that nothing overlapped.
 */
const RELEASE_AFTER_MS = 20;
/** Beyond the run's own bound (timeout × attempts): the lease outlives a run that ends late. */
const LEASE_MARGIN_MS = 5_000;

export interface ClusterGateDeps {
  claims: Claims;
  placements: Placements;
  health: DatabaseHealth;
  logger: Logger;
  /** A tick this instance claimed but did not run (a run of the monitor was going here or elsewhere). */
  onSkipped: (monitor: Monitor) => void;
  /** This instance is about to run a monitor it does not own (a standby's claim, a manual run): its series must exist first. */
  onAdopted: (monitor: Monitor) => void;
  /** Resolves once the state of monitors new here is read from the history (undefined when none is being read): their first run goes on from it. */
  beforeRun?: (monitors: readonly Monitor[]) => Promise<void> | undefined;
  /**
   * Resolves, with the time it was sent, once this instance's first heartbeat was written (or
   * failed to be: then the database is down and nothing is claimed until a heartbeat gets through).
   * Until then ticks and manual runs wait for it: a lease held by an instance without a member row
   * is free for the others (they take it for a dead one's), so nothing is claimed before the row
   * exists. A tick scheduled before the heartbeat was sent is not claimed: no other instance could
   * have placed it here, and claimed late it would race its old owner's claim, or run in a burst.
   */
  joined?: Promise<Date>;
  now?: () => number;
  graceMs?: number;
}

/** How long a monitor's run may hold its lease. */
export function leaseBudgetMs(monitor: Monitor): number {
  return monitor.timeoutMs * (monitor.retries + 1) + LEASE_MARGIN_MS;
}

/**
 * The cluster's tick gate: the owner of a monitor (rendezvous over the live members) claims each
 * tick when it comes, in one statement for all the monitors of that tick; the standby (next in
 * rank) claims the same tick after a grace period, which only succeeds when the owner did not:
 * that is how a dead or paused owner's monitors keep running before the members notice it is gone.
 */
export class ClusterGate implements TickGate {
  private readonly timers = new Set<NodeJS.Timeout>();
  private releases: Array<{ monitor: string; claimAt: Date }> = [];
  private releaseTimer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private lateWarned = false;
  private member: boolean;
  private stopped = false;

  constructor(private readonly deps: ClusterGateDeps) {
    this.now = deps.now ?? Date.now;
    this.member = deps.joined === undefined;
    void deps.joined?.then(() => (this.member = true));
  }

  admit(due: readonly Monitor[], scheduledAt: Date, start: StartRun): void {
    if (this.stopped) return;
    // Registered after the constructor's, so `member` is true when these run: claimed a few ms late, not lost.
    if (!this.member) return void this.deps.joined?.then((since) => scheduledAt >= since && this.admit(due, scheduledAt, start));
    // Without the database nothing can be proved: no claim, no run (the heartbeat brings it back).
    if (!this.deps.health.up) return;
    const { placements } = this.deps;
    const owned = due.filter((monitor) => placements.role(monitor.name) === 'owner');
    const standby = due.filter((monitor) => placements.role(monitor.name) === 'standby');
    if (owned.length > 0) void this.claimAndStart(owned, scheduledAt, start, false);
    if (standby.length === 0) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      // Became the owner meanwhile: the owner's path claims the newer ticks; this old one is left alone.
      const still = standby.filter((monitor) => placements.role(monitor.name) === 'standby');
      if (still.length > 0 && this.deps.health.up) void this.claimAndStart(still, scheduledAt, start, true);
    }, this.deps.graceMs ?? STANDBY_GRACE_MS);
    timer.unref();
    this.timers.add(timer);
  }

  async manual(monitor: Monitor, start: StartRun): Promise<ManualRun> {
    if (!this.member) await this.deps.joined;
    if (!this.deps.health.up) return { refused: 'database_unavailable' };
    let claimAt: Date | undefined;
    try {
      claimAt = await this.deps.claims.claimManual(monitor.name, leaseBudgetMs(monitor));
    } catch (error) {
      this.deps.health.failed(error);
      return { refused: 'database_unavailable' };
    }
    if (!claimAt) return { refused: 'in_progress' };
    const leased = { monitor: monitor.name, claimAt };
    if (this.deps.placements.role(monitor.name) !== 'owner') this.deps.onAdopted(monitor);
    await this.deps.beforeRun?.([monitor]);
    const run = start(monitor);
    if (!run) {
      this.release(leased);
      return { refused: 'in_progress' };
    }
    void run.finally(() => this.release(leased));
    return { run };
  }

  /** Ends the standby timers and gives back the leases of runs that ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    clearTimeout(this.releaseTimer);
    this.releaseTimer = undefined;
    await this.flushReleases();
  }

  private async claimAndStart(monitors: readonly Monitor[], scheduledAt: Date, start: StartRun, standby: boolean): Promise<void> {
    const sentAt = this.now();
    // A tick this old (an instance woken from a long pause) may have had its claim row pruned: it
    // could run twice, so it is lost instead.
    if (sentAt - scheduledAt.getTime() > STALE_TICK_MS) {
      this.deps.logger.warn({ scheduledAt, monitors: monitors.length }, 'ticks came too late to be claimed (the process was paused); they are not run');
      return;
    }
    let won;
    try {
      won = await this.deps.claims.claimTicks(monitors.map((monitor) => ({ monitor: monitor.name, budgetMs: leaseBudgetMs(monitor) })), scheduledAt);
    } catch (error) {
      // Whether the claim landed is unknown: the tick is not run (at worst it is lost, never doubled).
      this.deps.health.failed(error);
      return;
    }
    const byName = new Map(monitors.map((monitor) => [monitor.name, monitor]));
    if (this.now() - sentAt > CLAIM_FRESH_MS) {
      if (!this.lateWarned) this.deps.logger.warn({ waitedMs: this.now() - sentAt, scheduledAt }, 'claims answered too late (the process was paused or the database stalled); those ticks are not run');
      this.lateWarned = true;
      for (const { monitor, leased } of won) if (leased) this.release({ monitor, claimAt: scheduledAt });
      return;
    }
    this.lateWarned = false;
    const runnable: Monitor[] = [];
    for (const { monitor: name, leased } of won) {
      const monitor = byName.get(name);
      if (!monitor) continue;
      if (!leased) {
        this.deps.onSkipped(monitor);
        continue;
      }
      if (standby) this.deps.onAdopted(monitor);
      runnable.push(monitor);
    }
    // Usually nothing to wait for; right after a handover, one read of the history for all of them.
    const seeding = this.deps.beforeRun?.(runnable);
    if (seeding) await seeding;
    for (const monitor of runnable) {
      const run = start(monitor);
      const release = () => this.release({ monitor: monitor.name, claimAt: scheduledAt });
      if (run) void run.finally(release);
      else {
        release();
        this.deps.onSkipped(monitor);
      }
    }
  }

  private release(lease: { monitor: string; claimAt: Date }): void {
    this.releases.push(lease);
    if (this.releaseTimer || this.stopped) return;
    this.releaseTimer = setTimeout(() => {
      this.releaseTimer = undefined;
      void this.flushReleases();
    }, RELEASE_AFTER_MS);
    this.releaseTimer.unref();
  }

  private async flushReleases(): Promise<void> {
    if (this.releases.length === 0) return;
    const batch = this.releases;
    this.releases = [];
    try {
      await this.deps.claims.release(batch);
    } catch (error) {
      // An unreleased lease frees itself at its end time, or when this instance goes silent.
      this.deps.health.failed(error);
    }
  }
}
