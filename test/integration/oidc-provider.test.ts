// stepwatch's OAuth2 client against an independent, OpenID Certified authorization server:
// panva's oidc-provider on 127.0.0.1, with the test playing the browser.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import type { ClientMetadata } from 'oidc-provider';
import { authorizeWithPkce } from '../../src/oauth2/authorize-flow.js';
import { FileRefreshTokenStore } from '../../src/oauth2/file-refresh-token-store.js';
import { tokenSlot } from '../../src/oauth2/refresh-token-store.js';
import { openOAuth2Services } from '../../src/oauth2/oauth2-services.js';
import { runMonitor } from '../../src/run/run-monitor.js';
import { closedPort } from '../support/servers.js';
import { monitorFromYaml } from '../support/monitors.js';

const SECRET = 'oidc:se+cr/et%42';

describe('against oidc-provider', () => {
  let server: http.Server;
  let issuer: string;
  let redirectUri: string;
  let dataDir: string;
  before(async () => {
    redirectUri = `http://127.0.0.1:${await closedPort()}/callback`;
    server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = (id: string, method: ClientMetadata['token_endpoint_auth_method']): ClientMetadata => ({
      client_id: id,
      client_secret: SECRET,
      grant_types: ['client_credentials', 'authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [redirectUri],
      token_endpoint_auth_method: method,
      scope: 'openid offline_access api:read',
    });
    const provider = new Provider(issuer, {
      clients: [client('basic-client', 'client_secret_basic'), client('post-client', 'client_secret_post')],
      scopes: ['openid', 'offline_access', 'api:read'],
      features: { clientCredentials: { enabled: true }, devInteractions: { enabled: true } },
      pkce: { required: () => true },
      rotateRefreshToken: () => true,
      cookies: { keys: ['stepwatch-test-cookie-key'] },
      findAccount: (_ctx: unknown, id: string) => ({ accountId: id, claims: () => ({ sub: id }) }),
    });
    server.on('request', provider.callback());
    dataDir = mkdtempSync(path.join(tmpdir(), 'stepwatch-oidc-'));
  });
  after(() => {
    server.closeAllConnections();
    server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  for (const [clientId, clientAuth] of [['basic-client', 'basic'], ['post-client', 'body']] as const) {
    it(`gets a client-credentials token with client_secret_${clientAuth === 'basic' ? 'basic' : 'post'} and a secret full of :+/%`, async () => {
      const monitor = monitorFromYaml(`
name: cc-${clientAuth}
schedule: "* * * * *"
steps:
  - name: Token
    oauth2:
      tokenUrl: <<env.ISSUER>>/token
      grant: client_credentials
      clientId: ${clientId}
      clientSecret: <<env.CLIENT_SECRET>>
      clientAuth: ${clientAuth}
      scope: api:read
    assert:
      jsonpath:
        $.token_type: { equals: Bearer }
        $.expires_in: { greaterThan: 0 }
`, { ISSUER: issuer, CLIENT_SECRET: SECRET });
      const result = await runMonitor(monitor, { env: { ISSUER: issuer, CLIENT_SECRET: SECRET }, oauth2: await openOAuth2Services(dataDir) });
      assert.equal(result.passed, true, JSON.stringify(result.steps));
    });
  }

  it('is refused with the server\'s OAuth error for a wrong secret', async () => {
    const monitor = monitorFromYaml(`
name: cc-wrong
schedule: "* * * * *"
steps:
  - name: Token
    oauth2: { tokenUrl: <<env.ISSUER>>/token, grant: client_credentials, clientId: basic-client, clientSecret: wrong }
`, { ISSUER: issuer });
    const result = await runMonitor(monitor, { env: { ISSUER: issuer }, oauth2: await openOAuth2Services(dataDir) });
    assert.equal(result.steps[0]?.reason, 'status');
    assert.match(result.steps[0]?.message ?? '', /got 401: invalid_client/);
  });

  it('authorizes with PKCE as a user would, then refreshes with rotation across restarts', async () => {
    const settings = {
      authorizeUrl: `${issuer}/auth`,
      tokenUrl: `${issuer}/token`,
      redirectUri,
      client: { clientId: 'basic-client', clientSecret: SECRET, clientAuth: 'basic' as const },
      transport: { insecureSkipVerify: false },
      scope: 'openid offline_access api:read',
      authorizeParams: [['prompt', 'consent']] as Array<[string, string]>,
      timeoutMs: 20_000,
    };
    const granted = await authorizeWithPkce(settings, (url) => void playBrowser(url, redirectUri));
    const store = new FileRefreshTokenStore(dataDir);
    await store.put(tokenSlot('oidc-user', 'Refresh'), granted.refreshToken);

    const env = { ISSUER: issuer, CLIENT_SECRET: SECRET };
    const monitor = monitorFromYaml(`
name: oidc-user
schedule: "* * * * *"
steps:
  - name: Refresh
    oauth2:
      tokenUrl: <<env.ISSUER>>/token
      grant: refresh_token
      clientId: basic-client
      clientSecret: <<env.CLIENT_SECRET>>
  - name: Userinfo
    request: { url: <<env.ISSUER>>/me, auth: { bearer: <<custom.access_token>> } }
    assert: { jsonpath: { $.sub: { equals: alice } } }
`, env);
    const seen = [granted.refreshToken];
    for (let restart = 0; restart < 3; restart++) {
      const result = await runMonitor(monitor, { env, oauth2: await openOAuth2Services(dataDir) });
      assert.equal(result.passed, true, JSON.stringify(result.steps));
      const stored = (JSON.parse(readFileSync(store.file, 'utf8')) as { tokens: Record<string, { refreshToken: string }> }).tokens['oidc-user/Refresh']?.refreshToken ?? '';
      assert.ok(!seen.includes(stored), 'the server rotated the token and stepwatch stored the new one');
      seen.push(stored);
    }
  });
});

/** Plays the browser through oidc-provider's development login and consent pages. */
async function playBrowser(start: string, redirectUri: string): Promise<void> {
  const cookies = new Map<string, string>();
  const cookieHeader = () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  let url = start;
  let body: URLSearchParams | undefined;
  for (let hop = 0; hop < 20; hop++) {
    if (url.startsWith(redirectUri)) {
      await fetch(url);
      return;
    }
    const response = await fetch(url, { redirect: 'manual', method: body ? 'POST' : 'GET', headers: { cookie: cookieHeader(), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) }, body });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const [name = '', value = ''] = pair.split('=');
      cookies.set(name.trim(), value);
    }
    body = undefined;
    const location = response.headers.get('location');
    if (location) {
      url = new URL(location, url).toString();
      continue;
    }
    const page = await response.text();
    if (page.includes('name="prompt" value="login"')) body = new URLSearchParams({ prompt: 'login', login: 'alice', password: 'any' });
    else if (page.includes('name="prompt" value="consent"')) body = new URLSearchParams({ prompt: 'consent' });
    else throw new Error(`unexpected page at ${url} (${response.status}): ${page.slice(0, 300)}`);
  }
  throw new Error('too many hops');
}
