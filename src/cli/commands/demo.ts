import { startDemoApi } from '../../demo/demo-api.js';
import { DEMO_MONITORS_DIR } from '../../demo/demo-monitors.js';
import type { Command } from '../cli-error.js';
import { UsageError } from '../cli-error.js';
import { envDefaults, logLevelOption, parseCommandArgs, portOption } from '../options.js';
import { serveUntilSignal } from '../serve.js';
import { DEFAULT_PORT } from './start.js';

export const demoCommand: Command = {
  summary: 'start the bundled demo API and the scheduler on the demo monitors',
  usage: `Usage: stepwatch demo [--port N] [--host H] [--api-port N]

Starts a demo OAuth2 provider + API modelled on Spotify's on 127.0.0.1 (--api-port, default
a free port) and runs the bundled demo monitors against it, serving /metrics on --port
(default $STEPWATCH_PORT or ${DEFAULT_PORT}). No credentials, no internet. Stops like start.`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('demo', args, {
      port: { type: 'string' },
      host: { type: 'string' },
      'api-port': { type: 'string' },
    });
    if (positionals.length > 0) throw new UsageError(`demo takes no positional arguments (got '${positionals[0]}')`);
    const defaults = envDefaults(io.env);
    const api = await startDemoApi({ port: portOption(values['api-port'] as string | undefined, 0) });
    io.stderr(`demo API listening on ${api.url}\n`);
    return serveUntilSignal({
      monitorPaths: [DEMO_MONITORS_DIR],
      host: String(values.host ?? defaults.host),
      port: portOption(values.port as string | undefined ?? defaults.port, DEFAULT_PORT),
      logLevel: logLevelOption(defaults.logLevel, 'info'),
      env: { ...io.env, DEMO_API_URL: api.url, DEMO_CLIENT_ID: api.clientId, DEMO_CLIENT_SECRET: api.clientSecret },
      onStopped: () => api.close(),
    });
  },
};
