import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runMonitor } from '../../src/run/run-monitor.js';
import { Redactor } from '../../src/redaction/redactor.js';
import { redactRun } from '../../src/redaction/redact-run.js';
import { openOAuth2Services } from '../../src/oauth2/oauth2-services.js';
import { reporters, REPORTERS } from '../../src/report/reporters.js';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { createLogger } from '../../src/logging/logger.js';
import { logObserver } from '../../src/logging/log-observer.js';
import { MetricsObserver } from '../../src/metrics/metrics-observer.js';
import { combineObservers } from '../../src/run/observer.js';
import { json, startHttpServer } from '../support/servers.js';
import type { TestServer } from '../support/servers.js';
import { monitorFromYaml } from '../support/monitors.js';

const SECRET = 'se:cr+et/with%odd';

describe('the oauth2 step against a token endpoint', () => {
  let api: TestServer;
  let dataDir: string;
  let requests: Array<{ authorization?: string; form: URLSearchParams }> = [];
  let refreshTokens: Set<string>;
  let accessTokens: Set<string>;
  let counter = 0;
  before(async () => {
    api = await startHttpServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        // A careless API: it echoes the credential it got.
        if (req.url === '/me') return accessTokens.has((req.headers.authorization ?? '').slice(7)) ? json(res, 200, { id: 'me', echo: req.headers.authorization }) : json(res, 401, {});
        const form = new URLSearchParams(body);
        requests.push({ authorization: req.headers.authorization, form });
        const [id, secret] = Buffer.from((req.headers.authorization ?? 'Basic ').slice(6), 'base64').toString().split(':').map((p) => decodeURIComponent(p.replace(/\+/g, ' ')));
        const clientOk = (id === 'client' && secret === SECRET) || (form.get('client_id') === 'client' && form.get('client_secret') === SECRET);
        if (!clientOk) return json(res, 401, { error: 'invalid_client', error_description: 'Client authentication failed' });
        // Real tokens are long; stepwatch does not search free text for values under 8 characters.
        const access = `at-${++counter}-abcdefgh`;
        accessTokens.add(access);
        if (form.get('grant_type') === 'refresh_token') {
          const old = form.get('refresh_token') ?? '';
          if (!refreshTokens.delete(old)) return json(res, 400, { error: 'invalid_grant', error_description: 'refresh token revoked' });
          const rotated = `rt-${counter}-abcdefgh`;
          refreshTokens.add(rotated);
          return json(res, 200, { access_token: access, token_type: 'Bearer', expires_in: 3600, refresh_token: rotated });
        }
        json(res, 200, { access_token: access, token_type: 'Bearer', expires_in: 3600 });
      });
    });
  });
  after(() => api.close());
  beforeEach(() => {
    requests = [];
    refreshTokens = new Set(['rt-initial']);
    accessTokens = new Set();
    dataDir = mkdtempSync(path.join(tmpdir(), 'stepwatch-oauth2-'));
  });

  const env = () => ({ API: api.url, CLIENT_SECRET: SECRET, FIRST_REFRESH_TOKEN: 'rt-initial' });
  const clientCredentials = (extra = '') => monitorFromYaml(`
name: cc
schedule: "* * * * *"
steps:
  - name: Token
    oauth2:
      tokenUrl: <<env.API>>/token
      grant: client_credentials
      clientId: client
      clientSecret: <<env.CLIENT_SECRET>>
      scope: read write
      params: { audience: https://api.example.com }
${extra}
  - name: Me
    request: { url: <<env.API>>/me, auth: { bearer: <<custom.access_token>> } }
`, env());

  it('sends a form-encoded client-credentials request with RFC 6749 Basic auth, scope and params', async () => {
    const oauth2 = await openOAuth2Services(dataDir);
    const result = await runMonitor(clientCredentials(), { env: env(), oauth2 });
    assert.equal(result.passed, true, JSON.stringify(result.steps));
    const [request] = requests;
    assert.equal(request?.authorization, `Basic ${Buffer.from('client:se%3Acr%2Bet%2Fwith%25odd').toString('base64')}`);
    assert.deepEqual(Object.fromEntries(request?.form ?? []), { grant_type: 'client_credentials', scope: 'read write', audience: 'https://api.example.com' });
  });

  it('puts the client credentials in the body with clientAuth: body', async () => {
    const oauth2 = await openOAuth2Services(dataDir);
    const result = await runMonitor(clientCredentials('      clientAuth: body'), { env: env(), oauth2 });
    assert.equal(result.passed, true);
    assert.equal(requests[0]?.authorization, undefined);
    assert.equal(requests[0]?.form.get('client_secret'), SECRET);
  });

  it('shows the OAuth error of a refused request in the step message', async () => {
    const oauth2 = await openOAuth2Services(dataDir);
    const result = await runMonitor(clientCredentials(), { env: { ...env(), CLIENT_SECRET: 'wrong' }, oauth2 });
    assert.equal(result.steps[0]?.reason, 'status');
    assert.equal(result.steps[0]?.message, 'expected a 2xx status, got 401: invalid_client (Client authentication failed)');
  });

  it('fetches a token every run by default, and once across runs with reuseToken', async () => {
    const oauth2 = await openOAuth2Services(dataDir);
    for (let i = 0; i < 3; i++) await runMonitor(clientCredentials(), { env: env(), oauth2 });
    assert.equal(requests.length, 3);
    requests = [];
    const reusing = clientCredentials('      reuseToken: true');
    for (let i = 0; i < 3; i++) assert.equal((await runMonitor(reusing, { env: env(), oauth2 })).passed, true);
    assert.equal(requests.length, 1);
  });

  it('never shares a reused token between different scopes', async () => {
    const oauth2 = await openOAuth2Services(dataDir);
    const read = clientCredentials('      reuseToken: true');
    const write = monitorFromYaml(JSON.stringify({ name: 'cc-write', schedule: '* * * * *', steps: [{ name: 'Token', oauth2: { tokenUrl: '<<env.API>>/token', grant: 'client_credentials', clientId: 'client', clientSecret: '<<env.CLIENT_SECRET>>', scope: 'write', reuseToken: true } }] }), env());
    for (let i = 0; i < 2; i++) {
      await runMonitor(read, { env: env(), oauth2 });
      await runMonitor(write, { env: env(), oauth2 });
    }
    assert.deepEqual(requests.map((r) => r.form.get('scope')), ['read write', 'write']);
  });

  it('drops a reused token when a later step gets a 401', async () => {
    const oauth2 = await openOAuth2Services(dataDir);
    const reusing = clientCredentials('      reuseToken: true');
    await runMonitor(reusing, { env: env(), oauth2 });
    accessTokens.clear(); // the API revokes every token
    const failed = await runMonitor(reusing, { env: env(), oauth2 });
    assert.equal(failed.steps[1]?.httpStatus, 401);
    const next = await runMonitor(reusing, { env: env(), oauth2 });
    assert.equal(next.passed, true);
    assert.equal(requests.length, 2, 'the next run fetched a new token');
  });

  const refreshing = () => monitorFromYaml(`
name: rt
schedule: "* * * * *"
steps:
  - name: Refresh
    oauth2:
      tokenUrl: <<env.API>>/token
      grant: refresh_token
      clientId: client
      clientSecret: <<env.CLIENT_SECRET>>
      refreshToken: <<env.FIRST_REFRESH_TOKEN>>
  - name: Me
    request: { url: <<env.API>>/me, auth: { bearer: <<custom.access_token>> } }
`, env());

  it('keeps a rotated refresh token in a 0600 store, across a restart', async () => {
    const first = await openOAuth2Services(dataDir);
    assert.equal((await runMonitor(refreshing(), { env: env(), oauth2: first })).passed, true);
    const store = path.join(dataDir, 'refresh-tokens.json');
    assert.equal(statSync(store).mode & 0o777, 0o600);
    const rotated = (JSON.parse(readFileSync(store, 'utf8')) as { tokens: Record<string, { refreshToken: string }> }).tokens['rt/Refresh']?.refreshToken;
    assert.match(rotated ?? '', /^rt-\d+-abcdefgh$/, 'the rotated token is stored at once');
    const restarted = await openOAuth2Services(dataDir); // a new process would read the same file
    assert.equal((await runMonitor(refreshing(), { env: env(), oauth2: restarted })).passed, true);
    assert.equal(requests[1]?.form.get('refresh_token'), rotated, 'the stored token wins over the initial one');
    assert.deepEqual(Object.keys(JSON.parse(readFileSync(store, 'utf8')).tokens), ['rt/Refresh']);
  });

  it('stores a rotated refresh token even when an assertion of the step fails', async () => {
    const oauth2 = await openOAuth2Services(dataDir);
    const strict = refreshing();
    strict.steps[0]?.assertions.push({ subject: 'latency', operator: 'lessThan', expected: 0 });
    const failedRun = await runMonitor(strict, { env: env(), oauth2 });
    assert.equal(failedRun.steps[0]?.reason, 'assertion');
    const next = await runMonitor(refreshing(), { env: env(), oauth2 });
    assert.equal(next.passed, true, 'the next run uses the rotated token, which the server still accepts');
  });

  it('never shows tokens or the client secret in debug logs, results, reports or metrics', async () => {
    const oauth2 = await openOAuth2Services(dataDir);
    const redactor = new Redactor();
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', redactor, destination: new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) }) });
    const metrics = new MetricsObserver(new Registry(), { processMetrics: false });
    // Series exist for loaded monitors only: without this the metrics would hold nothing to leak.
    metrics.configLoaded([refreshing()], { active: 1, invalid: 0, disabled: 0 }, true);
    const observer = combineObservers([logObserver(logger), metrics]);
    await runMonitor(refreshing(), { env: env(), oauth2, redactor, observer });
    const strict = refreshing();
    strict.steps[1]?.assertions.push({ subject: 'jsonpath', property: '$.id', operator: 'equals', expected: 42 });
    const result = await runMonitor(strict, { env: env(), oauth2, redactor, observer });
    assert.equal(result.steps[1]?.reason, 'assertion', 'the second run fails, so its response is logged at debug');
    assert.ok(lines.join('').includes('Bearer [redacted]'), 'the echoed credential is in the debug log, hidden');
    const outputs = [lines.join(''), await metrics.render(), JSON.stringify(redactRun(result)), ...REPORTERS.map((name) => reporters[name]([result]))];
    for (const text of outputs) for (const secret of [SECRET, ...refreshTokens, ...accessTokens, `at-${counter}`]) assert.ok(!text.includes(secret), `${secret} in ${text}`);
  });

  it('says to run authorize when there is no refresh token at all', async () => {
    const monitor = monitorFromYaml(`
name: none
schedule: "* * * * *"
steps:
  - name: Refresh
    oauth2: { tokenUrl: <<env.API>>/token, grant: refresh_token, clientId: client }
`, env());
    const result = await runMonitor(monitor, { env: env(), oauth2: await openOAuth2Services(dataDir) });
    assert.equal(result.steps[0]?.reason, 'template');
    assert.equal(result.steps[0]?.message, 'no refresh token for this step: set refreshToken, or run stepwatch authorize none');
  });

  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));
});
