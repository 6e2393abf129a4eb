// The oauth2 step at its edges: the answers a token endpoint can give (no token, no answer),
// templates that cannot be filled at run time, what the step exposes to later steps, and which
// steps may share a reused token. Against a real token endpoint on 127.0.0.1.
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runMonitor } from '../../src/run/run-monitor.js';
import { openOAuth2Services } from '../../src/oauth2/oauth2-services.js';
import type { OAuth2Services } from '../../src/oauth2/oauth2-services.js';
import { REUSE_MARGIN_MS, TokenCache } from '../../src/oauth2/token-cache.js';
import { STORE_FILE } from '../../src/oauth2/file-refresh-token-store.js';
import { tokenSlot } from '../../src/oauth2/refresh-token-store.js';
import { redactRun } from '../../src/redaction/redact-run.js';
import type { TokenIdentity } from '../../src/oauth2/token-cache.js';
import { closedPort, json, makeSelfSignedCert, startHttpServer, startHttpsServer } from '../support/servers.js';
import type { TestServer } from '../support/servers.js';
import { monitorFromYaml } from '../support/monitors.js';

describe('the reused-token cache', () => {
  const identity: TokenIdentity = { tokenUrl: 'https://auth/token', clientId: 'c', clientSecret: 'secret-one', grant: 'client_credentials', scope: 'read', params: [] };
  const tokens = { accessToken: 'at-abcdefgh', tokenType: 'Bearer', expiresIn: 120 };

  it('keys by the client secret (as a hash, never in clear) and by the scope', () => {
    const key = TokenCache.key(identity);
    assert.ok(!key.includes('secret-one'));
    assert.notEqual(TokenCache.key({ ...identity, clientSecret: 'secret-two' }), key);
    assert.notEqual(TokenCache.key({ ...identity, scope: 'write' }), key);
    assert.equal(TokenCache.key({ ...identity }), key);
  });

  it('gives a token up a minute before it expires, and never keeps one whose lifetime is unknown', () => {
    let now = 0;
    const cache = new TokenCache(() => now);
    cache.put('k', tokens);
    now = 120_000 - REUSE_MARGIN_MS - 1;
    assert.deepEqual(cache.get('k'), tokens);
    now = 120_000 - REUSE_MARGIN_MS;
    assert.equal(cache.get('k'), undefined, 'within the margin: given up');
    cache.put('k', { accessToken: 'at-abcdefgh', tokenType: 'Bearer' });
    assert.equal(cache.get('k'), undefined);
  });
});

describe('the oauth2 step at its edges', () => {
  let server: TestServer;
  let dataDir: string;
  let oauth2: OAuth2Services;
  let issued = 0;
  /** What the token endpoint answers next; `seen` holds what the API got from later steps. */
  let answer: { status: number; body: unknown; raw?: string } = { status: 200, body: {} };
  let seen: Record<string, string | undefined> = {};
  before(async () => {
    server = await startHttpServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url === '/echo') {
          seen = { type: req.headers['x-type'] as string, expires: req.headers['x-expires'] as string, refresh: req.headers['x-refresh'] as string };
          return json(res, 200, {});
        }
        issued++;
        if (answer.raw !== undefined) {
          res.writeHead(answer.status, { 'content-type': 'text/plain' });
          return res.end(answer.raw);
        }
        json(res, answer.status, answer.body);
      });
    });
  });
  after(() => server.close());
  beforeEach(async () => {
    issued = 0;
    seen = {};
    answer = { status: 200, body: { access_token: `at-${Date.now()}-abcdefgh`, token_type: 'Bearer', expires_in: 3600 } };
    dataDir = mkdtempSync(path.join(tmpdir(), 'stepwatch-oauth2-edges-'));
    oauth2 = await openOAuth2Services(dataDir);
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const env = () => ({ API: server.url, CLIENT_SECRET: 'client-secret-1' });
  const tokenStep = (extra = '', clientSecret = '<<env.CLIENT_SECRET>>', tokenUrl = '<<env.API>>/token') =>
    `  - name: Token\n    oauth2: { tokenUrl: "${tokenUrl}", grant: client_credentials, clientId: c, clientSecret: "${clientSecret}"${extra} }\n`;
  const monitor = (steps: string, name = 'edges', compileEnv: NodeJS.ProcessEnv = env()) => monitorFromYaml(`name: ${name}\nschedule: "* * * * *"\nsteps:\n${steps}`, compileEnv);

  it('fails with extraction when a 200 answer holds no access token, saying what it got', async () => {
    answer = { status: 200, body: { token_type: 'Bearer' } };
    const [step] = (await runMonitor(monitor(tokenStep()), { env: env(), oauth2 })).steps;
    assert.equal(step?.reason, 'extraction');
    assert.equal(step?.message, 'the token response has no access_token');
    answer = { status: 200, body: null, raw: 'not json' };
    const [plain] = (await runMonitor(monitor(tokenStep()), { env: env(), oauth2 })).steps;
    assert.equal(plain?.reason, 'extraction');
    assert.match(plain?.message ?? '', /^the token response has no access_token \(.+\)$/);
  });

  it('fails with connection when the token endpoint does not answer', async () => {
    const result = await runMonitor(monitor(tokenStep('', '<<env.CLIENT_SECRET>>', `http://127.0.0.1:${await closedPort()}/token`)), { env: env(), oauth2 });
    assert.equal(result.steps[0]?.reason, 'connection');
  });

  it('fails with template, before any request, for a value missing at run time or a tokenUrl that is not a URL', async () => {
    const missing = await runMonitor(monitor(tokenStep()), { env: { API: server.url }, oauth2 });
    assert.equal(missing.steps[0]?.reason, 'template');
    assert.match(missing.steps[0]?.message ?? '', /CLIENT_SECRET/);
    const notUrl = await runMonitor(monitor(tokenStep('', '<<env.CLIENT_SECRET>>', '<<env.API>>')), { env: { ...env(), API: 'not a url' }, oauth2 });
    assert.equal(notUrl.steps[0]?.reason, 'template');
    assert.equal(notUrl.steps[0]?.message, "the tokenUrl 'not a url' is not a valid URL");
    for (const result of [missing, notUrl]) {
      assert.equal(result.steps[0]?.status, 'failed');
      assert.ok((result.steps[0]?.durationMs ?? Infinity) <= result.durationMs, 'the step took part of the run');
    }
    assert.equal(issued, 0);
  });

  const echo = '  - name: Echo\n    request: { url: "<<env.API>>/echo", headers: { X-Type: "<<custom.token_type>>", X-Expires: "<<custom.expires_in>>", X-Refresh: "<<custom.refresh_token>>" } }\n';

  it('gives later steps the token type, lifetime and refresh token it got', async () => {
    answer = { status: 200, body: { access_token: 'at-abcdefgh-1', token_type: 'Bearer', expires_in: 900, refresh_token: 'rt-abcdefgh-1' } };
    const result = await runMonitor(monitor(tokenStep() + echo), { env: env(), oauth2 });
    assert.equal(result.passed, true, JSON.stringify(result.steps));
    assert.equal(result.steps[0]?.status, 'passed');
    assert.deepEqual(seen, { type: 'Bearer', expires: '900', refresh: 'rt-abcdefgh-1' });
  });

  it('gives no lifetime or refresh token it did not get: a later step using one fails with template', async () => {
    answer = { status: 200, body: { access_token: 'at-abcdefgh-2', token_type: 'Bearer' } };
    for (const header of ['X-Expires: "<<custom.expires_in>>"', 'X-Refresh: "<<custom.refresh_token>>"']) {
      const result = await runMonitor(monitor(`${tokenStep()}  - name: Echo\n    request: { url: "<<env.API>>/echo", headers: { ${header} } }\n`), { env: env(), oauth2 });
      assert.equal(result.steps[1]?.reason, 'template', header);
    }
    assert.deepEqual(seen, {});
  });

  it('reuses a token only for a step that asks to, with the same client secret and scope, and says so', async () => {
    const reuse = ', scope: read, reuseToken: true';
    const run = (steps: string, name: string, runEnv = env()) => runMonitor(monitor(steps, name, runEnv), { env: runEnv, oauth2 });
    assert.equal((await run(tokenStep(reuse), 'first')).passed, true);
    const reused = await run(tokenStep(reuse), 'second');
    assert.equal(issued, 1);
    assert.equal(reused.steps[0]?.status, 'passed');
    assert.equal(reused.steps[0]?.message, 'reused a token that is still valid');
    assert.equal(reused.steps[0]?.httpStatus, undefined, 'no request went out');
    assert.ok((reused.steps[0]?.durationMs ?? Infinity) <= reused.durationMs);
    await run(tokenStep(', scope: read'), 'no-reuse');
    assert.equal(issued, 2, 'a step without reuseToken asks for its own token');
    await run(tokenStep(', scope: write, reuseToken: true'), 'other-scope');
    assert.equal(issued, 3, 'another scope is another token');
    await run(tokenStep(reuse), 'other-secret', { ...env(), CLIENT_SECRET: 'client-secret-2' });
    assert.equal(issued, 4, 'another client secret is another client');
  });

  it('runs without the process services too (no cache, no store: a request each time, a refresh token only exposed)', async () => {
    answer = { status: 200, body: { access_token: 'at-abcdefgh-3', token_type: 'Bearer', expires_in: 60, refresh_token: 'rt-abcdefgh-3' } };
    for (let i = 0; i < 2; i++) {
      const result = await runMonitor(monitor(tokenStep(', reuseToken: true')), { env: env() });
      assert.equal(result.passed, true, JSON.stringify(result.steps));
    }
    assert.equal(issued, 2);
  });

  const refreshStep = (extra = '') => `  - name: Token\n    oauth2: { tokenUrl: "<<env.API>>/token", grant: refresh_token, clientId: c, clientSecret: "<<env.CLIENT_SECRET>>"${extra} }\n`;

  it('fails with template, never overwriting it, when the refresh-token store became unreadable', async () => {
    writeFileSync(path.join(dataDir, STORE_FILE), '{"version":');
    const result = await runMonitor(monitor(refreshStep()), { env: env(), oauth2 });
    assert.equal(result.steps[0]?.status, 'failed');
    assert.equal(result.steps[0]?.reason, 'template');
    assert.match(result.steps[0]?.message ?? '', /unreadable/);
    assert.equal(readFileSync(path.join(dataDir, STORE_FILE), 'utf8'), '{"version":', 'left as it was, for a person to repair');
    assert.ok((result.steps[0]?.durationMs ?? Infinity) <= result.durationMs);
    assert.equal(issued, 0);
  });

  it("hides the stored refresh token and a token answer's token fields from the messages, even when the answer is refused", async () => {
    await oauth2.store.put(tokenSlot('edges', 'Token'), 'rt-stored-abcdefgh');
    answer = { status: 400, body: { error: 'invalid_grant', error_description: 'token rt-stored-abcdefgh was revoked' } };
    const refused = redactRun(await runMonitor(monitor(refreshStep()), { env: env(), oauth2 }));
    assert.match(refused.steps[0]?.message ?? '', /invalid_grant/);
    assert.ok(!JSON.stringify(refused).includes('rt-stored-abcdefgh'), refused.steps[0]?.message);
    answer = { status: 200, body: { refresh_token: 'rt-unusable-abcdefgh', error: 'odd' } };
    const odd = redactRun(await runMonitor(monitor(`${tokenStep()}    assert: { body: { contains: nothing-like-this } }\n`), { env: env(), oauth2 }));
    assert.match(odd.steps[0]?.message ?? '', /^expected body to contain/);
    assert.ok(!JSON.stringify(odd).includes('rt-unusable-abcdefgh'), odd.steps[0]?.message);
  });

  it('reaches a token endpoint with a self-signed certificate only when told to skip verification', async () => {
    const https = await startHttpsServer(makeSelfSignedCert(), (req, res) => {
      req.resume();
      req.on('end', () => json(res, 200, { access_token: 'at-abcdefgh-tls', token_type: 'Bearer' }));
    });
    try {
      const step = (extra: string) => monitor(tokenStep(extra, '<<env.CLIENT_SECRET>>', `${https.url}/token`));
      assert.equal((await runMonitor(step(''), { env: env(), oauth2 })).steps[0]?.reason, 'tls');
      const skipped = await runMonitor(step(', tls: { insecureSkipVerify: true }'), { env: env(), oauth2 });
      assert.equal(skipped.passed, true, JSON.stringify(skipped.steps));
    } finally {
      await https.close();
    }
  });
});
