import { createLogger } from '../logging/logger.js';
import type { Logger } from '../logging/logger.js';
import { Redactor } from '../redaction/redactor.js';
import { startDaemon } from '../daemon/start-daemon.js';
import { loadTimeoutOption, maxConcurrentRunsOption, startSpreadOption } from './options.js';
import type { Daemon } from '../daemon/start-daemon.js';
import type { ClusterSettings } from '../cluster/cluster-settings.js';

const GRACE_MS = 30_000;

export interface ServeOptions {
  monitorPaths: string[];
  host: string;
  port: number;
  logLevel: string;
  dataDir: string;
  historySize?: number;
  env: NodeJS.ProcessEnv;
  /** Cluster mode, from STEPWATCH_DATABASE_URL and friends. */
  cluster?: ClusterSettings;
  /** Runs after the daemon stopped, e.g. to close the demo API. */
  onStopped?: () => Promise<void>;
}

/** Starts the daemon and keeps it until SIGTERM or SIGINT, then drains in-flight runs and resolves 0. */
export async function serveUntilSignal(options: ServeOptions): Promise<0> {
  // Filled with the secret env values the monitors use, at every (re)load.
  const redactor = new Redactor();
  const logger: Logger = createLogger({ level: options.logLevel, redactor });
  const apiToken = options.env.STEPWATCH_API_TOKEN;
  const maxConcurrentRuns = maxConcurrentRunsOption(options.env.STEPWATCH_MAX_CONCURRENT_RUNS);
  const loadTimeoutMs = loadTimeoutOption(options.env.STEPWATCH_LOAD_TIMEOUT_SECONDS);
  const startSpreadMs = startSpreadOption(options.env.STEPWATCH_START_SPREAD_SECONDS);
  const stopSignal = stopSignalFromNowOn();
  logger.debug({ pid: process.pid }, 'starting');
  const daemon: Daemon = await startDaemon({ ...options, logger, redactor, ...(apiToken ? { apiToken } : {}), ...(maxConcurrentRuns ? { maxConcurrentRuns } : {}), ...(loadTimeoutMs ? { loadTimeoutMs } : {}), ...(startSpreadMs !== undefined ? { startSpreadMs } : {}) });
  const signal = await stopSignal;
  logger.info({ signal, graceMs: GRACE_MS }, 'stopping: no new runs; waiting for runs in progress');
  const drained = await daemon.stop(GRACE_MS);
  await options.onStopped?.();
  logger.info({ drained }, drained ? 'stopped' : 'stopped; some runs were still in progress after the grace period');
  return 0;
}

/**
 * Listens for SIGTERM and SIGINT before anything starts: without a listener the kernel applies the
 * default action (death by the signal) at once, so a signal sent while the daemon is loading, or
 * right after it printed that it started but before the listener existed, killed it undrained.
 */
function stopSignalFromNowOn(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
}
