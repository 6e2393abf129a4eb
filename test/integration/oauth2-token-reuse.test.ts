// Which reused tokens may be shared: a token is served again only to a step that would have been
// given the same token by the server (same endpoint, client, grant, scope, params and user).
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runMonitor } from '../../src/run/run-monitor.js';
import { openOAuth2Services } from '../../src/oauth2/oauth2-services.js';
import type { OAuth2Services } from '../../src/oauth2/oauth2-services.js';
import { json, startHttpServer } from '../support/servers.js';
import type { TestServer } from '../support/servers.js';
import { monitorFromYaml } from '../support/monitors.js';

describe('reused oauth2 tokens', () => {
  let api: TestServer;
  let dataDir: string;
  let oauth2: OAuth2Services;
  /** Refresh token → the user it acts for; rotated on every use. */
  const refreshTokens = new Map<string, string>();
  /** Access token → the user it acts for ('' for a client token). */
  const accessTokens = new Map<string, string>();
  let issued = 0;
  /** The user each /me call was answered for, in order. */
  let seen: string[] = [];
  before(async () => {
    api = await startHttpServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        if (req.url === '/me') {
          const user = accessTokens.get((req.headers.authorization ?? '').slice('Bearer '.length));
          if (user === undefined) return json(res, 401, {});
          seen.push(user);
          return json(res, 200, { user });
        }
        const form = new URLSearchParams(body);
        const access = `at-${++issued}`;
        if (form.get('grant_type') !== 'refresh_token') {
          accessTokens.set(access, '');
          return json(res, 200, { access_token: access, token_type: 'Bearer', expires_in: 3600 });
        }
        const user = refreshTokens.get(form.get('refresh_token') ?? '');
        if (user === undefined) return json(res, 400, { error: 'invalid_grant' });
        refreshTokens.delete(form.get('refresh_token') ?? '');
        refreshTokens.set(`rt-${issued}`, user);
        accessTokens.set(access, user);
        json(res, 200, { access_token: access, token_type: 'Bearer', expires_in: 3600, refresh_token: `rt-${issued}` });
      });
    });
  });
  after(() => api.close());
  beforeEach(async () => {
    refreshTokens.clear();
    accessTokens.clear();
    issued = 0;
    seen = [];
    refreshTokens.set('rt-alice', 'alice');
    refreshTokens.set('rt-bob', 'bob');
    dataDir = mkdtempSync(path.join(tmpdir(), 'stepwatch-token-reuse-'));
    oauth2 = await openOAuth2Services(dataDir);
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const env = () => ({ API: api.url, ALICE: 'rt-alice', BOB: 'rt-bob' });
  const userMonitor = (name: string, refreshTokenEnv: string) =>
    monitorFromYaml(`
name: ${name}
schedule: "* * * * *"
steps:
  - name: Refresh
    oauth2:
      tokenUrl: <<env.API>>/token
      grant: refresh_token
      clientId: one-client
      clientSecret: shared-secret
      refreshToken: <<env.${refreshTokenEnv}>>
      reuseToken: true
  - name: Me
    request: { url: <<env.API>>/me, auth: { bearer: <<custom.access_token>> } }
`, env());
  const userOf = async (name: string, refreshTokenEnv: string) => {
    const result = await runMonitor(userMonitor(name, refreshTokenEnv), { env: env(), oauth2 });
    assert.equal(result.passed, true, JSON.stringify(result.steps));
    return seen.at(-1);
  };

  it('are never shared between two refresh-token monitors of one client acting for different users', async () => {
    assert.equal(await userOf('alice-profile', 'ALICE'), 'alice');
    assert.equal(await userOf('bob-profile', 'BOB'), 'bob');
    assert.equal(await userOf('alice-profile', 'ALICE'), 'alice');
    assert.equal(await userOf('bob-profile', 'BOB'), 'bob');
    assert.equal(issued, 2, 'each monitor fetched its own token once, then reused it');
  });

  const clientMonitor = (name: string, params = '') =>
    monitorFromYaml(`
name: ${name}
schedule: "* * * * *"
steps:
  - name: Token
    oauth2: { tokenUrl: <<env.API>>/token, grant: client_credentials, clientId: one-client, clientSecret: shared-secret, scope: read, reuseToken: true${params} }
`, env());

  it('are shared between client-credentials steps that would get the same token', async () => {
    for (const name of ['first', 'second', 'first']) assert.equal((await runMonitor(clientMonitor(name), { env: env(), oauth2 })).passed, true);
    assert.equal(issued, 1);
  });

  it('are never shared between steps that ask for different audiences, whatever the order of their params', async () => {
    const orders = [', params: { audience: a, resource: r }', ', params: { resource: r, audience: a }', ', params: { audience: b, resource: r }'];
    for (const [i, params] of orders.entries()) assert.equal((await runMonitor(clientMonitor(`m${i}`, params), { env: env(), oauth2 })).passed, true);
    assert.equal(issued, 2, 'audience a once, audience b once');
  });
});
