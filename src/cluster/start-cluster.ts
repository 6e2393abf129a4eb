import type pg from 'pg';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Monitor } from '../core/monitor.js';
import type { MonitorOutcome } from '../outcomes/outcome.js';
import type { RefreshTokenStore } from '../oauth2/refresh-token-store.js';
import { Claims } from './claims.js';
import { ClusterGate } from './cluster-gate.js';
import { registerClusterMetrics } from './cluster-metrics.js';
import type { ClusterSettings } from './cluster-settings.js';
import { ClusterConfigError, databaseLabel } from './cluster-settings.js';
import { checkConnection, describe, openPool } from './database.js';
import { DatabaseHealth } from './database-health.js';
import { HandoverOutcomes, readOutcomes } from './handover-outcomes.js';
import { HEARTBEAT_MS, Membership } from './membership.js';
import type { MembersView } from './membership.js';
import { migrate } from './migrations.js';
import { PgRefreshTokenStore } from './pg-refresh-token-store.js';
import { PgRunHistory, pruneRunHistory } from './pg-run-history.js';
import { Placements } from './placements.js';

const PRUNE_EVERY_MS = 60_000;
// Any fixed number: only one instance prunes at a time.
const PRUNE_LOCK = 0x70727565; // 'prue'

export interface ClusterHooks {
  registry: Registry;
  logger: Logger;
  /** Runs per monitor kept in memory for the API and the page. */
  historySize: number;
  /** A tick claimed here and not run (a run of the monitor was going). */
  onSkipped: (monitor: Monitor) => void;
  /** The monitors run here changed (members came or went, a standby took a tick, the monitors were set): series follow, at once. */
  onRunHereChanged: () => void;
  /** The state of monitors that came to run here, as the run history tells it: seeds their series (MetricsObserver.restore). */
  restoreOutcomes: (outcomes: MonitorOutcome[]) => void;
}

/** Cluster mode, opened: the pieces the daemon plugs into its seams. */
export interface Cluster {
  settings: ClusterSettings;
  gate: ClusterGate;
  history: PgRunHistory;
  tokenStore: RefreshTokenStore;
  /** Whether this instance's location runs the monitor (its `locations`, default every one). */
  runsInLocation(monitor: Monitor): boolean;
  /**
   * The monitors in force (all of them; the cluster keeps those of its location). Calls onRunHereChanged, and resolves once the
   * monitors new here are seeded. Schedule them in the turn it resolves: after the first call this instance joins the members on
   * the next turn (its first heartbeat), and the others leave it its share of ticks from then on.
   */
  setMonitors(monitors: readonly Monitor[]): Promise<void>;
  /** Monitors whose series this instance exports: the ones it owns, and ones it ran for a silent owner. */
  runHere(): ReadonlySet<string>;
  /** Why this instance is not ready (the database is away); undefined while it is. */
  problem(): string | undefined;
  /** Stops claiming, writes what is pending, leaves the members and closes the pools. Call after the scheduler drained. */
  stop(): Promise<void>;
}

/**
 * Opens cluster mode: connects, migrates the schema, reads the members and starts pruning; it
 * joins the members (heartbeat) once its monitors are set (the join rule below). Anything wrong
 * before that (a heartbeat it could not write included) throws ClusterConfigError and leaves
 * nothing open, so `stepwatch start` exits 2 before it binds its port or runs a tick.
 */
export async function openCluster(settings: ClusterSettings, hooks: ClusterHooks): Promise<Cluster> {
  const { logger } = hooks;
  const onPoolError = (error: Error) => logger.warn({ reason: describe(error) }, 'a cluster database connection failed');
  const pool = openPool(settings.databaseUrl, 6, onPoolError);
  // Exchanges hold a connection across the call to the token endpoint: their own pool, so they never starve the claims.
  const tokenPool = openPool(settings.databaseUrl, 10, onPoolError);
  const membership = new Membership(pool, settings.instance, settings.location);
  let view: MembersView;
  try {
    await checkConnection(pool, settings.databaseUrl);
    const applied = await migrate(pool).catch((error: unknown) => {
      if (error instanceof ClusterConfigError) throw error;
      throw new ClusterConfigError(`cannot create or migrate the stepwatch tables in ${databaseLabel(settings.databaseUrl)}: ${describe(error)}`);
    });
    if (applied.length > 0) logger.info({ versions: applied }, 'cluster database schema migrated');
    // Not a member yet (see join below): the row is only proved writable.
    await membership.checkWritable();
    view = await membership.read();
  } catch (error) {
    await Promise.all([pool.end(), tokenPool.end()]);
    if (error instanceof ClusterConfigError) throw error;
    throw new ClusterConfigError(`cannot use the database at ${databaseLabel(settings.databaseUrl)}: ${describe(error)}`);
  }

  const health = new DatabaseHealth(logger);
  let markJoined!: (since: Date) => void;
  const joined = new Promise<Date>((resolve) => (markJoined = resolve));
  const placements = new Placements(settings.instance);
  placements.setMembers(view.local);
  const claims = new Claims(pool, settings.instance, settings.location);
  const history = new PgRunHistory(pool, settings, hooks.historySize, (error, what) => logger.warn({ reason: describe(error) }, `cluster history: ${what}`));
  const handover = new HandoverOutcomes({
    read: (names) => readOutcomes(pool, settings.location, names),
    restore: hooks.restoreOutcomes,
    onError: (error) => logger.warn({ reason: describe(error) }, 'cluster history: reading the state of monitors taken over failed; their failures in a row start from 0'),
  });
  // Series first (they must exist to be seeded), then the seeds of the monitors new here.
  const runHereChanged = () => {
    hooks.onRunHereChanged();
    return handover.follow(placements.runHere());
  };
  const gate = new ClusterGate({
    claims,
    placements,
    health,
    logger,
    onSkipped: hooks.onSkipped,
    onAdopted: (monitor) => {
      if (placements.adopt(monitor.name)) void runHereChanged();
    },
    beforeRun: (monitors) => handover.ready(monitors),
    joined,
  });
  registerClusterMetrics(hooks.registry, { membersPerLocation: () => view.perLocation, ownedMonitors: () => placements.owned(), databaseUp: () => health.up });
  const runsInLocation = (monitor: Monitor) => !monitor.locations || monitor.locations.includes(settings.location);

  let beating = false;
  const apply = (next: MembersView) => {
    health.answered();
    view = next;
    if (placements.setMembers(next.local)) {
      logger.info({ members: placements.memberList(), owned: placements.owned() }, 'cluster members changed; monitors placed anew');
      void runHereChanged();
    }
  };
  const beat = () => {
    if (beating) return Promise.resolve();
    beating = true;
    return membership
      .beat()
      .then(apply)
      .catch((error: unknown) => health.failed(error))
      .finally(() => (beating = false));
  };
  let heartbeat: NodeJS.Timeout | undefined;
  let stopped = false;
  /**
   * The join rule: this instance becomes visible to the others (its first heartbeat) only once its
   * scheduler runs its monitors. The others make it the owner of its share as soon as they read its
   * row, and from then on leave those ticks to it (its standby claims them only 2 s late); a member
   * visible before its scheduler ran (seconds of start-up under load) left them to the standby, whose
   * late claims then met the run lease of the new owner's first runs and were skipped: lost ticks.
   * So the row is written on the turn after the first setMonitors resolves, in which the daemon
   * schedules the monitors: every tick placed on this instance by anyone comes to its scheduler.
   * Until the row is written its gate holds ticks (claimed a few ms late, not lost; those scheduled
   * before the write was sent are left to the others, who could not have placed them here), and
   * before the others read it they claim with their old placement while this one claims its share
   * with its own: the unique claim row lets one run each tick, as for any change of members.
   */
  const join = () => {
    const since = new Date();
    if (stopped) return markJoined(since);
    void membership
      .write()
      .then(() => {
        markJoined(since);
        return membership.read();
      })
      .then((next) => {
        apply(next);
        logger.info({ instance: settings.instance, location: settings.location, database: databaseLabel(settings.databaseUrl), members: placements.memberList() }, 'joined the cluster');
      })
      .catch((error: unknown) => {
        health.failed(error);
        markJoined(since);
      })
      .finally(() => {
        if (!stopped) (heartbeat = setInterval(() => void beat(), HEARTBEAT_MS)).unref();
      });
  };
  let joinScheduled = false;
  const pruning = setInterval(() => void prune(pool, settings.historyDays, claims, membership).catch((error: unknown) => logger.warn({ reason: describe(error) }, 'cluster pruning failed; retried in a minute')), PRUNE_EVERY_MS);
  pruning.unref();
  history.start();

  return {
    settings,
    gate,
    history,
    tokenStore: new PgRefreshTokenStore(tokenPool),
    runsInLocation,
    async setMonitors(monitors) {
      placements.setMonitors(monitors.filter(runsInLocation));
      await Promise.all([
        runHereChanged(),
        history.track(monitors.map((monitor) => monitor.name)).catch((error: unknown) => logger.warn({ reason: describe(error) }, 'cluster history: reading the latest runs failed; new runs still show')),
      ]);
      if (!joinScheduled) setImmediate(join);
      joinScheduled = true;
    },
    runHere: () => placements.runHere(),
    problem: () => health.reason,
    async stop() {
      stopped = true;
      clearInterval(heartbeat);
      markJoined(new Date());
      clearInterval(pruning);
      await gate.stop();
      await history.stop();
      await membership.leave().catch(() => undefined);
      await Promise.all([pool.end(), tokenPool.end()]);
    },
  };
}

/** One instance at a time (a transaction-level try-lock) deletes what the retention windows left behind. */
async function prune(pool: pg.Pool, historyDays: number, claims: Claims, membership: Membership): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [PRUNE_LOCK]);
    if (rows[0]?.locked) await pruneRunHistory(client, historyDays);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
  await claims.prune();
  await membership.forgetLongGone();
}
