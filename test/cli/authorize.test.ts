import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { startDemoApi } from '../../src/demo/demo-api.js';
import type { DemoApi } from '../../src/demo/demo-api.js';
import { closedPort } from '../support/servers.js';
import { startCli } from '../support/cli.js';

describe('stepwatch authorize', () => {
  let api: DemoApi;
  let dir: string;
  const secret = 'demo:secret+/%';
  before(async () => {
    api = await startDemoApi({ clientSecret: secret });
    dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-authorize-'));
  });
  after(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function setUp(options: { scope?: string; redirectHost?: string; port?: number; timeout?: string } = {}) {
    const port = options.port ?? (await closedPort());
    const monitors = mkdtempSync(path.join(dir, 'monitors-'));
    writeFileSync(path.join(monitors, 'me.yaml'), `name: me
schedule: "* * * * *"
steps:
  - name: Refresh
    oauth2:
      tokenUrl: <<env.API>>/api/token
      grant: refresh_token
      clientId: stepwatch-demo
      clientSecret: <<env.CLIENT_SECRET>>
      authorizeUrl: <<env.API>>/authorize
      redirectUri: http://${options.redirectHost ?? '127.0.0.1'}:${port}/callback
      scope: ${options.scope ?? 'user-read-private'}
`);
    const dataDir = path.join(monitors, 'data');
    const cli = startCli(['authorize', 'me', '--monitors', monitors, '--data-dir', dataDir, '--timeout', options.timeout ?? '20s'], { env: { API: api.url, CLIENT_SECRET: secret } });
    return { cli, dataDir, port };
  }

  /** Plays the browser: opens the authorize URL and follows the redirect back to stepwatch. */
  async function approve(authorizeUrl: string): Promise<void> {
    const answer = await fetch(authorizeUrl, { redirect: 'manual' });
    const location = answer.headers.get('location');
    assert.ok(location, 'the provider redirects back');
    await fetch(location);
  }

  it('stores a refresh token from the code flow with PKCE, printing where but never the token', async () => {
    const { cli, dataDir } = await setUp();
    const [url] = await cli.waitFor(/http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+/);
    const query = new URL(url).searchParams;
    assert.equal(query.get('code_challenge_method'), 'S256');
    assert.equal(query.get('response_type'), 'code');
    assert.ok((query.get('state') ?? '').length >= 16);
    await approve(url);
    assert.equal(await cli.exited, 0, cli.output());
    const store = JSON.parse(readFileSync(path.join(dataDir, 'refresh-tokens.json'), 'utf8')) as { tokens: Record<string, { refreshToken: string }> };
    const token = store.tokens['me/Refresh']?.refreshToken ?? '';
    assert.match(token, /^demo-refresh-/);
    assert.equal(statSync(path.join(dataDir, 'refresh-tokens.json')).mode & 0o777, 0o600);
    assert.match(cli.output(), /Stored a refresh token for me \/ Refresh \(scope: user-read-private\) in .*refresh-tokens\.json\./);
    assert.ok(!cli.output().includes(token));
    assert.ok(!cli.output().includes(secret));
  });

  it('exits 1 and stores nothing when access is denied', async () => {
    const { cli, dataDir } = await setUp({ scope: 'deny' });
    const [url] = await cli.waitFor(/http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+/);
    await approve(url);
    assert.equal(await cli.exited, 1);
    assert.match(cli.output(), /stepwatch authorize: the authorization server answered access_denied; nothing was stored/);
    assert.throws(() => statSync(path.join(dataDir, 'refresh-tokens.json')));
  });

  it('exits 1 on a redirect whose state does not match', async () => {
    const { cli, port } = await setUp();
    await cli.waitFor(/authorize\?/);
    await fetch(`http://127.0.0.1:${port}/callback?code=stolen&state=forged`);
    assert.equal(await cli.exited, 1);
    assert.match(cli.output(), /state that does not match/);
  });

  it('exits 1 when the redirect port is in use', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const { cli } = await setUp({ port });
      assert.equal(await cli.exited, 1);
      assert.match(cli.output(), new RegExp(`port ${port} of the redirect URI is in use`));
    } finally {
      blocker.close();
    }
  });

  it('exits 1 when no redirect comes in time', async () => {
    const { cli } = await setUp({ timeout: '1s' });
    assert.equal(await cli.exited, 1);
    assert.match(cli.output(), /no redirect arrived within 1 s; nothing was stored/);
  });

  it('exits 1 for a redirect URI that is not loopback', async () => {
    const { cli } = await setUp({ redirectHost: 'example.com' });
    assert.equal(await cli.exited, 1);
    assert.match(cli.output(), /must be a loopback http URL with a port/);
  });
});
