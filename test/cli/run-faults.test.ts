import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../support/cli.js';
import { closedPort } from '../support/servers.js';
import { startHostileServer } from '../support/hostile-server.js';
import type { HostileServer } from '../support/hostile-server.js';

describe('stepwatch run against a hostile API', () => {
  let api: HostileServer;
  let dir: string;
  before(async () => {
    api = await startHostileServer();
    dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-faults-'));
    writeFileSync(path.join(dir, 'hostile.yaml'), `name: bad-location
schedule: "* * * * *"
steps:
  - { name: Redirect, request: { url: "<<env.API>>/bad-location" } }
---
name: crlf
schedule: "* * * * *"
steps:
  - { name: Read, request: { url: "<<env.API>>/crlf" }, extract: { value: $.value } }
  - { name: Send, request: { url: "<<env.API>>/echo", headers: { X-Value: "<<custom.value>>" } } }
---
name: bad-pattern
schedule: "* * * * *"
steps:
  - { name: Read, request: { url: "<<env.API>>/bad-pattern" }, extract: { pattern: $.pattern } }
  - { name: Match, request: { url: "<<env.API>>/echo" }, assert: { body: { matches: "<<custom.pattern>>" } } }
`);
  });
  after(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 1, not 70, reporting each run as failed with its reason', async () => {
    const result = await runCli(['run', dir, '--reporter', 'json'], { env: { API: api.url } });
    assert.equal(result.code, 1, result.stderr);
    assert.doesNotMatch(result.stderr, /internal error/);
    const report = JSON.parse(result.stdout) as { monitors: Array<{ name: string; passed: boolean; steps: Array<{ status: string; reason: string | null }> }> };
    const failing = (name: string) => report.monitors.find((m) => m.name === name)?.steps.find((s) => s.status === 'failed')?.reason;
    assert.deepEqual([failing('bad-location'), failing('crlf'), failing('bad-pattern')], ['protocol', 'template', 'assertion']);
  });
});

describe('stepwatch authorize with a tokenUrl that is not a URL', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-authorize-url-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 1 with a message naming the field, before it waits for a browser', async () => {
    const port = await closedPort();
    writeFileSync(path.join(dir, 'me.yaml'), `name: me
schedule: "* * * * *"
steps:
  - name: Refresh
    oauth2:
      tokenUrl: <<env.TOKEN_URL>>
      grant: refresh_token
      clientId: stepwatch-demo
      authorizeUrl: http://127.0.0.1:${port}/authorize
      redirectUri: http://127.0.0.1:${port}/callback
`);
    const result = await runCli(['authorize', 'me', '--monitors', dir, '--data-dir', path.join(dir, 'data'), '--timeout', '5s'], { env: { TOKEN_URL: 'not a url' } });
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stderr, "stepwatch authorize: tokenUrl 'not a url' is not an http or https URL; nothing was stored\n");
    assert.doesNotMatch(result.stdout, /Open this URL/);
  });
});
