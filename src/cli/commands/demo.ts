import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDemoApi } from '../../demo/demo-api.js';
import { FileRefreshTokenStore } from '../../oauth2/file-refresh-token-store.js';
import { tokenSlot } from '../../oauth2/refresh-token-store.js';
import { DEMO_MONITORS_DIR } from '../../demo/demo-monitors.js';
import type { Command } from '../cli-error.js';
import { UsageError } from '../cli-error.js';
import { envDefaults, logLevelOption, parseCommandArgs, portOption } from '../options.js';
import { serveUntilSignal } from '../serve.js';
import { DEFAULT_PORT } from './start.js';

export const demoCommand: Command = {
  summary: 'start the bundled demo API and the scheduler on the demo monitors',
  usage: `Usage: stepwatch demo [--port N] [--host H] [--api-port N] [--data-dir DIR]

Starts a demo OAuth2 provider + API modelled on Spotify's on 127.0.0.1 (--api-port, default
a free port) and runs the bundled demo monitors against it, serving /metrics on --port
(default $STEPWATCH_PORT or ${DEFAULT_PORT}). No credentials, no internet. The demo client's secret
is random unless DEMO_CLIENT_SECRET is set. Refresh tokens go to --data-dir, else
$STEPWATCH_DATA_DIR, else a temporary folder removed on exit. Stops like start.`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('demo', args, {
      port: { type: 'string' },
      host: { type: 'string' },
      'api-port': { type: 'string' },
      'data-dir': { type: 'string' },
    });
    if (positionals.length > 0) throw new UsageError(`demo takes no positional arguments (got '${positionals[0]}')`);
    const defaults = envDefaults(io.env);
    // The production image leaves the demo out (its TLS key is public by design): say which image has it.
    if (!existsSync(DEMO_MONITORS_DIR)) throw new UsageError(`the demo is not installed here (${DEMO_MONITORS_DIR} is missing); in Docker, build the demo target: docker build --target demo .`);
    const api = await startDemoApi({ port: portOption(values['api-port'] as string | undefined, 0), ...(io.env.DEMO_CLIENT_SECRET ? { clientSecret: io.env.DEMO_CLIENT_SECRET } : {}) });
    io.stderr(`demo API listening on ${api.url}\n`);
    const chosenDataDir = values['data-dir'] === undefined ? io.env.STEPWATCH_DATA_DIR || undefined : String(values['data-dir']);
    const dataDir = chosenDataDir ?? mkdtempSync(path.join(tmpdir(), 'stepwatch-demo-'));
    const temporaryDataDir = chosenDataDir === undefined;
    // What `stepwatch authorize demo-my-profile` would store: the demo user's first refresh token.
    await new FileRefreshTokenStore(dataDir).put(tokenSlot('demo-my-profile', 'Refresh the user token'), api.issueRefreshToken());
    return serveUntilSignal({
      monitorPaths: [DEMO_MONITORS_DIR],
      host: String(values.host ?? defaults.host),
      port: portOption(values.port as string | undefined ?? defaults.port, DEFAULT_PORT),
      logLevel: logLevelOption(defaults.logLevel, 'info'),
      // The demo API forgets its tokens when it stops, so its refresh tokens live in a folder of their own.
      dataDir,
      env: { ...io.env, DEMO_API_URL: api.url, DEMO_API_TLS_URL: api.tlsUrl, DEMO_CLIENT_ID: api.clientId, DEMO_CLIENT_SECRET: api.clientSecret },
      onStopped: async () => {
        await api.close();
        if (temporaryDataDir) rmSync(dataDir, { recursive: true, force: true });
      },
    });
  },
};
