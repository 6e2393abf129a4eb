import { parseDuration } from '../../core/duration.js';
import type { OAuth2Action, Step } from '../../core/monitor.js';
import { formatDiagnostic } from '../../config/diagnostics.js';
import { AuthorizeError, authorizeWithPkce } from '../../oauth2/authorize-flow.js';
import { FileRefreshTokenStore } from '../../oauth2/file-refresh-token-store.js';
import { clusterSettings } from '../../cluster/cluster-settings.js';
import { openClusterTokenStore } from '../../cluster/open-token-store.js';
import { tokenSlot } from '../../oauth2/refresh-token-store.js';
import type { RefreshTokenStore } from '../../oauth2/refresh-token-store.js';
import { MissingValueError, render } from '../../templating/template.js';
import type { Resolve, Template } from '../../templating/template.js';
import { loadedValue } from '../../templating/loaded-values.js';
import { Redactor } from '../../redaction/redactor.js';
import { renderClient } from '../../steps/oauth2/render-client.js';
import { AssertionKeyError } from '../../oauth2/client-assertion.js';
import type { Command } from '../cli-error.js';
import { UsageError } from '../cli-error.js';
import { loadForCommand } from '../load-monitors.js';
import { envDefaults, parseCommandArgs } from '../options.js';

const DEFAULT_TIMEOUT_MS = 5 * 60_000;

export const authorizeCommand: Command = {
  summary: 'get a first refresh token through the authorization-code flow with PKCE',
  usage: `Usage: stepwatch authorize MONITOR [--step NAME] [--monitors DIR] [--data-dir DIR] [--timeout 5m]

For the monitor's oauth2 step (the first one, or --step NAME): prints the authorize URL to
open in a browser, listens on the step's redirectUri (a loopback URL such as
http://127.0.0.1:8888/callback), checks the state, exchanges the code with its PKCE verifier
and stores the refresh token in the data folder (refresh-tokens.json, mode 0600), where the
monitor's refresh_token grant finds it. The token itself is never printed.
Exit codes: 0 stored, 1 the flow failed, 2 usage or configuration error.`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('authorize', args, {
      step: { type: 'string' },
      monitors: { type: 'string' },
      'data-dir': { type: 'string' },
      timeout: { type: 'string' },
    });
    const [name, ...extra] = positionals;
    if (!name || extra.length > 0) throw new UsageError('authorize takes one monitor name: stepwatch authorize MONITOR [--step NAME]');
    const defaults = envDefaults(io.env);
    const timeoutMs = values.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDuration(/^\d+$/.test(String(values.timeout)) ? Number(values.timeout) : String(values.timeout));
    if (timeoutMs === undefined) throw new UsageError(`--timeout takes a duration such as 5m or 90s, got '${String(values.timeout)}'`);
    const catalog = await loadForCommand([String(values.monitors ?? defaults.monitors)], io.env);
    const monitor = catalog.get(name);
    if (!monitor) {
      const problems = catalog.invalid().filter((doc) => doc.name === name).flatMap((doc) => doc.diagnostics.map(formatDiagnostic));
      throw new UsageError(problems.length > 0 ? `monitor '${name}' is invalid:\n${problems.join('\n')}` : `no monitor named '${name}'`);
    }
    const step = monitor.steps.find((s): s is Step & { action: OAuth2Action } => s.action.kind === 'oauth2' && (values.step === undefined || s.name === values.step));
    if (!step) throw new UsageError(values.step === undefined ? `monitor '${name}' has no oauth2 step` : `monitor '${name}' has no oauth2 step named '${String(values.step)}'`);
    const spec = step.action.oauth2;
    if (!spec.authorizeUrl || !spec.redirectUri) throw new UsageError(`step '${step.name}' needs authorizeUrl and redirectUri for authorize`);
    const resolve: Resolve = (ref) => loadedValue(ref, io.env, monitor.fileValues);
    const fill = (template: Template) => render(template, resolve);
    try {
      // Checked before the browser is sent anywhere: a bad tokenUrl would otherwise surface only
      // after the user approved, and as a crash.
      const authorizeUrl = httpUrl('authorizeUrl', fill(spec.authorizeUrl));
      const tokenUrl = httpUrl('tokenUrl', fill(spec.tokenUrl));
      const { store, where, close } = await openStore(io.env, String(values['data-dir'] ?? defaults.dataDir));
      try {
        await store.check();
        const result = await authorizeWithPkce(
          {
            authorizeUrl,
            tokenUrl,
            redirectUri: fill(spec.redirectUri),
            ...renderClient(spec, resolve, new Redactor()),
            ...(spec.scope ? { scope: fill(spec.scope) } : {}),
            authorizeParams: spec.authorizeParams.map(([key, value]): [string, string] => [key, fill(value)]),
            timeoutMs,
          },
          (url) => io.stdout(`Open this URL in a browser and approve access:\n\n  ${url}\n\nWaiting for the redirect (${Math.round(timeoutMs / 1000)} s)...\n`),
        );
        await store.put(tokenSlot(monitor.name, step.name), result.refreshToken);
        io.stdout(`Stored a refresh token for ${monitor.name} / ${step.name}${result.scope ? ` (scope: ${result.scope})` : ''} in ${where}.\n`);
        return 0;
      } finally {
        await close();
      }
    } catch (error) {
      if (error instanceof AuthorizeError || error instanceof AssertionKeyError) {
        io.stderr(`stepwatch authorize: ${error.message}\n`);
        return 1;
      }
      if (error instanceof MissingValueError) throw new UsageError(`${error.message}: authorize fills only env. and file. values into authorizeUrl, redirectUri, authorizeParams, tokenUrl, the client's credentials, tls and scope`);
      throw error;
    }
  },
};

/** With STEPWATCH_DATABASE_URL the token goes where the cluster's instances read it; else to the data folder. */
async function openStore(env: NodeJS.ProcessEnv, dataDir: string): Promise<{ store: RefreshTokenStore; where: string; close(): Promise<void> }> {
  const cluster = clusterSettings(env);
  if (cluster) return openClusterTokenStore(cluster);
  const store = new FileRefreshTokenStore(dataDir);
  return { store, where: store.file, close: async () => {} };
}

function httpUrl(field: string, value: string): string {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') throw new AuthorizeError(`${field} '${value}' is not an http or https URL; nothing was stored`);
  return value;
}
