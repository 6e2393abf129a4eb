import { Registry } from 'prom-client';
import type { Logger } from 'pino';
import { Catalog } from '../config/catalog.js';
import { formatDiagnostic } from '../config/diagnostics.js';
import { logObserver } from '../logging/log-observer.js';
import { MetricsObserver } from '../metrics/metrics-observer.js';
import type { Redactor } from '../redaction/redactor.js';
import { SHORT_SECRET_WARNING, usedEnvSecrets } from '../redaction/monitor-secrets.js';
import { combineObservers } from '../run/observer.js';
import { runMonitor } from '../run/run-monitor.js';
import { Scheduler } from '../schedule/scheduler.js';
import { RunLimiter } from '../schedule/run-limiter.js';
import { SchedulerMetrics } from '../metrics/scheduler-metrics.js';
import { watchMonitors } from '../schedule/watch-monitors.js';
import { buildApp } from '../server/app.js';
import { DEFAULT_HISTORY, StatusStore } from '../status/status-store.js';
import { FileOutcomeStore } from '../outcomes/file-outcome-store.js';
import { LastOutcomes } from '../outcomes/last-outcomes.js';
import type { MonitorOutcome } from '../outcomes/outcome.js';
import { openOAuth2Services } from '../oauth2/oauth2-services.js';
import { LoopDelayMeter } from '../run/loop-delay.js';
import type { Monitor } from '../core/monitor.js';
import type { MonitorCounts } from '../config/catalog.js';
import { openCluster } from '../cluster/start-cluster.js';
import type { ClusterSettings } from '../cluster/cluster-settings.js';

export interface DaemonOptions {
  monitorPaths: string[];
  host: string;
  port: number;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** The process's secret set: the daemon fills it with the secret env values the monitors use, at every (re)load. */
  redactor: Redactor;
  /** Where refresh tokens (refresh-tokens.json) and last outcomes (monitor-outcomes.json) are kept, mode 0600. */
  dataDir: string;
  watchIntervalMs?: number;
  /** Guards POST /api/monitors/:name/run; the endpoint is off without it. */
  apiToken?: string;
  /** Runs kept per monitor for the API and the page. */
  historySize?: number;
  /** At most this many runs at once across all monitors (STEPWATCH_MAX_CONCURRENT_RUNS); the rest queue. */
  maxConcurrentRuns?: number;
  /** The window each monitor's start is spread over after its tick (STEPWATCH_START_SPREAD_SECONDS); default 1 s, 0 off. */
  startSpreadMs?: number;
  /** How long one monitor file may take to load (STEPWATCH_LOAD_TIMEOUT_SECONDS); default 10 s. */
  loadTimeoutMs?: number;
  /** Cluster mode (STEPWATCH_DATABASE_URL and friends); without it, one instance as always. */
  cluster?: ClusterSettings;
}

export interface Daemon {
  url: string;
  catalog: Catalog;
  scheduler: Scheduler;
  /** Stops scheduling, waits for runs in flight (at most `graceMs`), closes the server. */
  stop(graceMs: number): Promise<boolean>;
}

/**
 * Runs in flight at once unless STEPWATCH_MAX_CONCURRENT_RUNS says otherwise: enough for
 * thousands of monitors a minute, few enough that a burst of due runs does not saturate one
 * core and show up as false latencies (docs/performance.md).
 */
export const DEFAULT_MAX_CONCURRENT_RUNS = 100;

/** The composition root of `stepwatch start`: wires loader, scheduler, observers and server. */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const { logger, redactor, env } = options;
  const registry = new Registry();
  // First, before a port is bound or a tick runs: a database that cannot be used stops the start here.
  const cluster = options.cluster
    ? await openCluster(options.cluster, {
        registry,
        logger,
        historySize: options.historySize ?? DEFAULT_HISTORY,
        onSkipped: (monitor) => observer.runSkipped(monitor),
        onRunHereChanged: () => applySeries(),
        // A monitor's state follows it to this instance; the local outcome file is not used in cluster mode (it may be stale).
        restoreOutcomes: (taken) => {
          const restored = metrics.restore(taken);
          if (restored > 0) logger.info({ monitors: restored }, 'state of monitors taken over restored from the cluster history');
        },
      })
    : undefined;
  // A start that fails after the cluster opened must not leave its heartbeat and pools behind.
  const guard = <T>(step: Promise<T>): Promise<T> => step.catch(async (error: unknown) => {
    await cluster?.stop();
    throw error;
  });
  const outcomes = new FileOutcomeStore(options.dataDir, { onError: (error, message) => logger.warn({ err: error }, message) });
  // What the API and the page show as each monitor's last outcome: the metrics' own, restored ones included.
  const lastOutcomes = new LastOutcomes();
  const recordOutcome = (outcome: MonitorOutcome) => {
    outcomes.record(outcome);
    lastOutcomes.record(outcome);
  };
  // The scheduler is built below, after the observers it feeds; render() asks it only once serving.
  const metrics = new MetricsObserver(registry, {
    nextRun: (name) => scheduler.nextRun(name),
    onOutcome: recordOutcome,
    ...(cluster ? { constantLabels: { location: cluster.settings.location } } : {}),
  });
  const status = cluster ? cluster.history : new StatusStore(options.historySize);
  const observer = combineObservers([metrics, status, logObserver(logger)], (error) => logger.error({ err: error }, 'run observer failed'));
  const catalog = new Catalog(options.monitorPaths, env, options.loadTimeoutMs ? { loadTimeoutMs: options.loadTimeoutMs } : {});
  const oauth2 = await guard(openOAuth2Services(options.dataDir, cluster?.tokenStore));
  // Cluster mode: each instance exports the series of the monitors it runs, and follows them as they move.
  let loaded: { monitors: Monitor[]; counts: MonitorCounts; ok: boolean } = { monitors: [], counts: { active: 0, invalid: 0, disabled: 0 }, ok: true };
  const applySeries = () => {
    const here = cluster?.runHere();
    metrics.configLoaded(here ? loaded.monitors.filter((monitor) => here.has(monitor.name)) : loaded.monitors, loaded.counts, loaded.ok);
  };
  // Each run says whether stepwatch's own event loop was late while it ran (run/loop-delay.ts).
  const loopDelay = new LoopDelayMeter().start();
  const scheduler = new Scheduler({
    ...(cluster ? { gate: cluster.gate } : {}),
    run: (monitor) => runMonitor(monitor, { observer, redactor, env, oauth2, loopDelay }),
    observer,
    limiter: new RunLimiter(options.maxConcurrentRuns ?? DEFAULT_MAX_CONCURRENT_RUNS),
    ...(options.startSpreadMs !== undefined ? { startSpreadMs: options.startSpreadMs } : {}),
    schedulerObserver: new SchedulerMetrics(registry),
    onInternalError: (monitor, error) => logger.error({ monitor: monitor.name, err: error }, 'internal error while running the monitor; please report it'),
  });
  const warnedShort = new Set<string>();
  let ready = false;
  // In cluster mode the history in PostgreSQL outlives a restart and holds every instance's runs: the views read the state from it.
  const app = buildApp({ metrics, isReady: () => ready, ...(cluster ? { notReady: () => cluster.problem() } : {}), views: { monitors: catalog, status, control: scheduler, ...(cluster ? {} : { outcomes: lastOutcomes }), ...(options.apiToken ? { apiToken: options.apiToken } : {}) } });
  await guard(app.listen({ host: options.host, port: options.port }));
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;

  const keptOutcomes = await outcomes.load();
  let reloadFailing = false;
  const reload = async (initial: boolean) => {
    let changed: boolean;
    try {
      changed = await catalog.refresh();
    } catch (error) {
      // The monitors in force keep running; the metric says the reload failed until one succeeds.
      if (initial) throw error;
      if (!reloadFailing) logger.error({ err: error }, 'cannot read the monitors; the ones loaded before keep running');
      reloadFailing = true;
      metrics.reloadFailed();
      return;
    }
    if (!changed && !initial && !reloadFailing) return;
    reloadFailing = false;
    // Only files read anew: an invalid file that did not change was reported when it was read.
    for (const invalid of catalog.invalid().filter((doc) => catalog.lastReadFiles.has(doc.file))) {
      logger.error(
        { file: invalid.file, monitor: invalid.name, keptLastGood: invalid.keptLastGood, diagnostics: invalid.diagnostics.map(formatDiagnostic) },
        invalid.keptLastGood ? 'monitor file is invalid; its last good version keeps running' : 'monitor file is invalid; skipped',
      );
    }
    const monitors = catalog.monitors();
    const secrets = usedEnvSecrets(monitors, env);
    redactor.replace(secrets.values);
    for (const name of secrets.short.filter((short) => !warnedShort.has(short))) {
      warnedShort.add(name);
      logger.warn({ variable: name }, SHORT_SECRET_WARNING);
    }
    const names = new Set(monitors.map((monitor) => monitor.name));
    loaded = { monitors, counts: catalog.counts(), ok: catalog.lastReloadSuccessful };
    // Cluster mode places the monitors, applies the series and seeds those new here before the scheduler runs them.
    if (cluster) await cluster.setMonitors(monitors);
    else applySeries();
    status.retain(names);
    outcomes.retain(names);
    lastOutcomes.retain(monitors);
    // A restored outcome is this process's; in cluster mode another instance may have run the monitor since.
    if (initial && !cluster) {
      // Before the first tick, so a run continues the restored count of failures in a row.
      const restored = metrics.restore(keptOutcomes);
      lastOutcomes.restore(monitors, keptOutcomes);
      if (restored > 0) logger.info({ monitors: restored }, 'last outcomes restored');
    }
    scheduler.sync(cluster ? monitors.filter(cluster.runsInLocation) : monitors);
    // Only a load with no invalid file tells which monitors exist (an unreadable file may hold
    // one whose name is unknown): then the tokens of the others are spent secrets.
    if (catalog.invalid().length === 0) {
      const removed = await oauth2.store.prune(new Set(monitors.map((monitor) => monitor.name))).catch((error: unknown) => {
        logger.error({ err: error }, 'could not prune the refresh-token store');
        return [];
      });
      if (removed.length > 0) logger.info({ slots: removed }, 'removed the refresh tokens of monitors that no longer exist');
    }
    logger.info({ ...catalog.counts(), reloadSuccessful: catalog.lastReloadSuccessful }, initial ? 'monitors loaded' : 'monitors reloaded');
  };
  await guard(reload(true));
  ready = true;
  const stopWatching = watchMonitors(
    () =>
      reload(false).catch((error: unknown) => {
        metrics.reloadFailed();
        logger.error({ err: error }, 'reload failed');
      }),
    options.watchIntervalMs ?? 2_000,
  );
  logger.info({ url, metrics: `${url}/metrics` }, 'stepwatch started');

  return {
    url,
    catalog,
    scheduler,
    async stop(graceMs) {
      stopWatching();
      const drained = await scheduler.stop(graceMs);
      loopDelay.stop();
      await cluster?.stop();
      await outcomes.close();
      await app.close();
      return drained;
    },
  };
}
