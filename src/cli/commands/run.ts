import { formatDiagnostic } from '../../config/diagnostics.js';
import { createLogger } from '../../logging/logger.js';
import { logObserver } from '../../logging/log-observer.js';
import { Redactor } from '../../redaction/redactor.js';
import { SHORT_SECRET_WARNING, usedEnvSecrets } from '../../redaction/monitor-secrets.js';
import { isReporterName, reporters, REPORTERS } from '../../report/reporters.js';
import { runMonitor } from '../../run/run-monitor.js';
import { combineObservers } from '../../run/observer.js';
import { openOAuth2Services } from '../../oauth2/oauth2-services.js';
import type { RunResult } from '../../core/results.js';
import type { Command } from '../cli-error.js';
import { UsageError } from '../cli-error.js';
import { loadForCommand } from '../load-monitors.js';
import { envDefaults, logLevelOption, parseCommandArgs } from '../options.js';

export const runCommand: Command = {
  summary: 'run monitors once and print per-step results',
  usage: `Usage: stepwatch run [PATH...] [--monitor NAME] [--reporter pretty|json|junit] [--data-dir DIR]

Runs every enabled monitor found in PATH (default: the monitors folder) once, or only
--monitor NAME (which also runs a disabled one). The report goes to stdout; logs go to
stderr (level $STEPWATCH_LOG_LEVEL, default error).
Exit codes: 0 all passed, 1 a run failed, 2 configuration error.`,
  async run(args, io) {
    const { positionals, values } = parseCommandArgs('run', args, {
      monitor: { type: 'string', short: 'm' },
      reporter: { type: 'string', short: 'r', default: 'pretty' },
      'data-dir': { type: 'string' },
    });
    const reporterName = String(values.reporter);
    if (!isReporterName(reporterName)) throw new UsageError(`unknown reporter '${reporterName}'; use one of ${REPORTERS.join(', ')}`);
    const defaults = envDefaults(io.env);
    const catalog = await loadForCommand(positionals.length > 0 ? positionals : [defaults.monitors], io.env);
    const wanted = values.monitor === undefined ? undefined : String(values.monitor);
    const invalid = catalog.invalid().filter((doc) => wanted === undefined || doc.name === wanted || doc.name === undefined);
    if (invalid.length > 0) {
      for (const doc of invalid) for (const diagnostic of doc.diagnostics) io.stderr(`${formatDiagnostic(diagnostic)}\n`);
      io.stderr(`not running: fix the monitor files above (stepwatch validate shows the same list)\n`);
      return 2;
    }
    const monitors = wanted === undefined ? catalog.monitors().filter((m) => m.enabled) : catalog.monitors().filter((m) => m.name === wanted);
    if (wanted !== undefined && monitors.length === 0) {
      const known = catalog.monitors().map((m) => m.name);
      throw new UsageError(`no monitor named '${wanted}'${known.length > 0 ? `; known: ${known.join(', ')}` : ''}`);
    }
    if (monitors.length === 0) throw new UsageError('no enabled monitor to run');
    const used = usedEnvSecrets(monitors, io.env);
    for (const name of used.short) io.stderr(`warning: ${name}: ${SHORT_SECRET_WARNING}\n`);
    const redactor = new Redactor(used.values);
    const logger = createLogger({ level: logLevelOption(defaults.logLevel, 'error'), redactor, destination: 2 });
    const observer = combineObservers([logObserver(logger)], (error) => logger.error({ err: error }, 'run observer failed'));
    // One-shot runs use the store too: a refresh token rotated here must not be lost.
    const oauth2 = await openOAuth2Services(String(values['data-dir'] ?? defaults.dataDir));
    const results: RunResult[] = [];
    for (const monitor of monitors) results.push(await runMonitor(monitor, { observer, redactor, env: io.env, oauth2 }));
    // Each reporter shows the runs' redacted views; nothing rewrites the report's text.
    io.stdout(reporters[reporterName](results));
    return results.every((result) => result.passed) ? 0 : 1;
  },
};
