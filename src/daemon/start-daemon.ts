import { Registry } from 'prom-client';
import type { Logger } from 'pino';
import { Catalog } from '../config/catalog.js';
import { formatDiagnostic } from '../config/diagnostics.js';
import { logObserver } from '../logging/log-observer.js';
import { MetricsObserver } from '../metrics/metrics-observer.js';
import type { Redactor } from '../redaction/redactor.js';
import { combineObservers } from '../run/observer.js';
import { runMonitor } from '../run/run-monitor.js';
import { Scheduler } from '../schedule/scheduler.js';
import { watchMonitors } from '../schedule/watch-monitors.js';
import { buildApp } from '../server/app.js';
import { StatusStore } from '../status/status-store.js';
import { openOAuth2Services } from '../oauth2/oauth2-services.js';

export interface DaemonOptions {
  monitorPaths: string[];
  host: string;
  port: number;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  redactor: Redactor;
  /** Where refresh tokens are kept (refresh-tokens.json, mode 0600). */
  dataDir: string;
  watchIntervalMs?: number;
  /** Guards POST /api/monitors/:name/run; the endpoint is off without it. */
  apiToken?: string;
  /** Runs kept per monitor for the API and the page. */
  historySize?: number;
}

export interface Daemon {
  url: string;
  catalog: Catalog;
  scheduler: Scheduler;
  /** Stops scheduling, waits for runs in flight (at most `graceMs`), closes the server. */
  stop(graceMs: number): Promise<boolean>;
}

/** The composition root of `stepwatch start`: wires loader, scheduler, observers and server. */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const { logger, redactor, env } = options;
  const registry = new Registry();
  const metrics = new MetricsObserver(registry);
  const status = new StatusStore(options.historySize);
  const observer = combineObservers([metrics, status, logObserver(logger)], (error) => logger.error({ err: error }, 'run observer failed'));
  const catalog = new Catalog(options.monitorPaths, env);
  const oauth2 = await openOAuth2Services(options.dataDir);
  const scheduler = new Scheduler({
    run: (monitor) => runMonitor(monitor, { observer, redactor, env, oauth2 }),
    observer,
    onInternalError: (monitor, error) => logger.error({ monitor: monitor.name, err: error }, 'internal error while running the monitor; please report it'),
  });
  let ready = false;
  const app = buildApp({ metrics, isReady: () => ready, views: { monitors: catalog, status, control: scheduler, ...(options.apiToken ? { apiToken: options.apiToken } : {}) } });
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;

  const reload = async (initial: boolean) => {
    if (!(await catalog.refresh()) && !initial) return;
    // Only files read anew: an invalid file that did not change was reported when it was read.
    for (const invalid of catalog.invalid().filter((doc) => catalog.lastReadFiles.has(doc.file))) {
      logger.error(
        { file: invalid.file, monitor: invalid.name, keptLastGood: invalid.keptLastGood, diagnostics: invalid.diagnostics.map(formatDiagnostic) },
        invalid.keptLastGood ? 'monitor file is invalid; its last good version keeps running' : 'monitor file is invalid; skipped',
      );
    }
    const monitors = catalog.monitors();
    metrics.configLoaded(monitors, catalog.counts(), catalog.lastReloadSuccessful);
    status.retain(new Set(monitors.map((monitor) => monitor.name)));
    scheduler.sync(monitors);
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
  await reload(true);
  ready = true;
  const stopWatching = watchMonitors(() => reload(false).catch((error: unknown) => logger.error({ err: error }, 'reload failed')), options.watchIntervalMs ?? 2_000);
  logger.info({ url, metrics: `${url}/metrics` }, 'stepwatch started');

  return {
    url,
    catalog,
    scheduler,
    async stop(graceMs) {
      stopWatching();
      const drained = await scheduler.stop(graceMs);
      await app.close();
      return drained;
    },
  };
}
