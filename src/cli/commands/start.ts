import type { Command } from '../cli-error.js';
import { UsageError } from '../cli-error.js';
import { envDefaults, historyOption, logLevelOption, parseCommandArgs, portOption } from '../options.js';
import { serveUntilSignal } from '../serve.js';
import { monitorPathProblem } from '../path-problems.js';
import { clusterSettings } from '../../cluster/cluster-settings.js';

export const DEFAULT_PORT = 9464;

export const startCommand: Command = {
  summary: 'run the scheduler and the HTTP server (/metrics, /healthz, /readyz)',
  usage: `Usage: stepwatch start [--monitors DIR] [--host H] [--port N] [--data-dir DIR] [--history N]

Runs every enabled monitor on its schedule and serves /metrics, /healthz, /readyz, the status
page at / and the JSON API under /api (docs/api.md); --history N runs are kept per monitor
(default 100). POST /api/monitors/NAME/run needs $STEPWATCH_API_TOKEN.
Monitor files are re-read when they change; a file that becomes invalid keeps its last
good version running. SIGTERM or SIGINT stops scheduling, lets runs in progress finish
(up to 30 s) and exits 0.
Defaults: $STEPWATCH_MONITORS or ./monitors, $STEPWATCH_HOST or 127.0.0.1,
$STEPWATCH_PORT or ${DEFAULT_PORT}, $STEPWATCH_DATA_DIR or ./data, $STEPWATCH_LOG_LEVEL or info,
$STEPWATCH_MAX_CONCURRENT_RUNS or 100 runs at once (due runs beyond it wait for a slot),
$STEPWATCH_START_SPREAD_SECONDS or 1: each monitor starts at its tick plus a fixed offset
within this window (a hash of its name; capped by its schedule's interval; 0 turns it off),
$STEPWATCH_LOAD_TIMEOUT_SECONDS or 10 s for one monitor file to load (then it is invalid).
Cluster mode (docs/cluster.md): $STEPWATCH_DATABASE_URL (postgres://...) keeps history and refresh
tokens in PostgreSQL and shares the monitors with every instance on it; $STEPWATCH_LOCATION
(default 'default'), $STEPWATCH_INSTANCE (default host name and process id),
$STEPWATCH_HISTORY_DAYS (default 14).`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('start', args, {
      monitors: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      history: { type: 'string' },
    });
    if (positionals.length > 0) throw new UsageError(`start takes no positional arguments (got '${positionals[0]}'); use --monitors DIR`);
    const defaults = envDefaults(io.env);
    const monitors = String(values.monitors ?? defaults.monitors);
    // Checked before anything starts: a bad path must not leave a server up with nothing scheduled.
    const cluster = clusterSettings(io.env);
    const problem = await monitorPathProblem(monitors);
    if (problem) throw new UsageError(`cannot use the monitors path: ${problem} (set --monitors or STEPWATCH_MONITORS)`);
    return serveUntilSignal({
      monitorPaths: [monitors],
      host: String(values.host ?? defaults.host),
      port: portOption(values.port as string | undefined ?? defaults.port, DEFAULT_PORT),
      logLevel: logLevelOption(defaults.logLevel, 'info'),
      dataDir: String(values['data-dir'] ?? defaults.dataDir),
      historySize: historyOption(values.history as string | undefined),
      env: io.env,
      ...(cluster ? { cluster } : {}),
    });
  },
};
