import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runMonitor } from '../../src/run/run-monitor.js';
import { Redactor } from '../../src/redaction/redactor.js';
import { redactRun } from '../../src/redaction/redact-run.js';
import type { RunResult } from '../../src/core/results.js';
import { json, startHttpServer } from '../support/servers.js';
import type { TestServer } from '../support/servers.js';
import { monitorFromYaml } from '../support/monitors.js';

describe('running a monitor against a real API', () => {
  let api: TestServer;
  let calls: Record<string, number> = {};
  const seen: { queries?: string[]; bearers?: string[]; authorization?: string; body?: string; contentType?: string; query?: string } = {};
  before(async () => {
    api = await startHttpServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      calls[url.pathname] = (calls[url.pathname] ?? 0) + 1;
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        switch (url.pathname) {
          case '/token':
            seen.body = body;
            seen.contentType = req.headers['content-type'];
            return json(res, 200, { access_token: 'tok-123', token_type: 'Bearer', expires_in: 3600 }, { 'x-request-id': 'req-9' });
          case '/items':
            seen.authorization = req.headers.authorization;
            seen.query = url.search;
            seen.bearers = [...(seen.bearers ?? []), req.headers.authorization ?? ''];
            seen.queries = [...(seen.queries ?? []), url.search];
            return json(res, 200, { items: [{ id: 'a1' }, { id: 'a2' }], html: '<input name="csrf" value="c-77">' });
          case '/flaky':
            return calls['/flaky'] === 1 ? json(res, 500, { error: 'boom' }) : json(res, 200, { ok: true });
          case '/slow':
            return; // never answers: the timeout tests end on the client's timers alone
          case '/text':
            res.writeHead(200, { 'content-type': 'text/html' });
            return res.end('<html>not json</html>');
          case '/limited':
            return json(res, 429, { error: 'rate limited' });
          default:
            return json(res, 404, {});
        }
      });
    });
  });
  after(() => api.close());

  const run = (yaml: string, env: NodeJS.ProcessEnv = {}): Promise<RunResult> => runMonitor(monitorFromYaml(yaml, { API: api.url, ...env }), { env: { API: api.url, ...env } });

  it('passes a token → extract → bearer flow, sending form, query and bearer as written', async () => {
    calls = {};
    const result = await run(`
name: flow
schedule: "* * * * *"
steps:
  - name: Get token
    request:
      method: POST
      url: <<env.API>>/token
      form: { grant_type: client_credentials, scope: "a b" }
    extract:
      access_token: $.access_token
      request_id: { header: X-Request-Id }
    assert:
      status: 200
      headers: { content-type: { contains: application/json } }
      jsonpath:
        $.token_type: { equals: Bearer }
        $.expires_in: { greaterThan: 0 }
  - name: List items
    request:
      url: <<env.API>>/items
      query: { limit: "5", tag: "a&b" }
      auth: { bearer: << custom.access_token >> }
    extract:
      csrf: { regex: 'csrf.{1,4}value=.{1,2}(c-[0-9]+)' }
    assert:
      status: [200, 204]
      latency: { lessThan: 2s }
      body: { contains: a2 }
      jsonpath:
        $.items.length: { equals: 2 }
        $.items[0].id: { equals: a1, oneOf: [a1, b1], matches: "/^A/i" }
        $.missing: { exists: false }
        $.items[1].id: { notEquals: a1, notContains: zz }
  - name: Echo extracted values
    request:
      url: <<env.API>>/items
      query: { csrf: <<custom.csrf>>, rid: <<custom.request_id>> }
`);
    assert.equal(result.passed, true, JSON.stringify(result.steps));
    assert.deepEqual(result.steps.map((s) => s.status), ['passed', 'passed', 'passed']);
    assert.equal(seen.body, 'grant_type=client_credentials&scope=a+b');
    assert.equal(seen.contentType, 'application/x-www-form-urlencoded');
    assert.equal(seen.bearers?.[0], 'Bearer tok-123');
    assert.equal(seen.queries?.[0], '?limit=5&tag=a%26b');
    assert.equal(seen.authorization, undefined, 'the last step sends no auth');
    assert.equal(seen.query, '?csrf=c-77&rid=req-9', 'regex and header extractions reach later steps');
    assert.equal(result.steps[0]?.httpStatus, 200);
    // The order the API and the JSON report show the fields in.
    assert.deepEqual(Object.keys(result), ['monitor', 'startedAt', 'durationMs', 'attempts', 'passed', 'steps']);
    assert.deepEqual(Object.keys(result.steps[0] ?? {}), ['name', 'durationMs', 'phases', 'status', 'httpStatus']);
    assert.deepEqual(Object.keys(result.steps[0]?.phases ?? {}), ['dns', 'connect', 'tls', 'ttfb', 'transfer']);
  });

  it('fails at the first failing step, names the reason, and skips the rest', async () => {
    const result = await run(`
name: broken
schedule: "* * * * *"
steps:
  - name: Missing page
    request: { url: <<env.API>>/nope }
  - name: Never reached
    request: { url: <<env.API>>/items }
`);
    assert.equal(result.passed, false);
    assert.deepEqual(result.steps.map((s) => [s.status, s.reason]), [['failed', 'status'], ['skipped', undefined]]);
    assert.equal(result.steps[0]?.message, 'expected a 2xx status, got 404');
    assert.equal(result.steps[0]?.httpStatus, 404);
    assert.equal(result.steps[0]?.response?.status, 404);
  });

  it('passes a non-2xx status that the step asserts, and fails a 429 as status', async () => {
    const ok = await run(`
name: expects-404
schedule: "* * * * *"
steps:
  - { name: Gone, request: { url: <<env.API>>/nope }, assert: { status: 404 } }
`);
    assert.equal(ok.passed, true);
    const limited = await run(`
name: limited
schedule: "* * * * *"
steps:
  - { name: Limited, request: { url: <<env.API>>/limited }, assert: { status: "2xx" } }
`);
    assert.equal(limited.steps[0]?.reason, 'status');
    assert.equal(calls['/limited'], 1, 'a 429 is not retried within the step');
  });

  it('fails an assertion with a message naming the expression, expected and actual values', async () => {
    const result = await run(`
name: wrong-value
schedule: "* * * * *"
steps:
  - name: Items
    request: { url: <<env.API>>/items }
    assert:
      jsonpath:
        $.items[0].id: { equals: b1 }
`);
    assert.equal(result.steps[0]?.reason, 'assertion');
    assert.equal(result.steps[0]?.message, "expected $.items[0].id to equal 'b1', got 'a1'");
  });

  it('fails an extraction that matches nothing, naming the expression', async () => {
    const result = await run(`
name: no-match
schedule: "* * * * *"
steps:
  - name: Items
    request: { url: <<env.API>>/items }
    extract: { token: $.nothing.here }
`);
    assert.equal(result.steps[0]?.reason, 'extraction');
    assert.match(result.steps[0]?.message ?? '', /\$\.nothing\.here matched nothing/);
  });

  it('treats a body that is not JSON as an assertion failure for a JSONPath assertion and an extraction failure for an extraction', async () => {
    const asserted = await run(`
name: not-json-assert
schedule: "* * * * *"
steps:
  - { name: Page, request: { url: <<env.API>>/text }, assert: { jsonpath: { $.a: { exists: true } } } }
`);
    assert.equal(asserted.steps[0]?.reason, 'assertion');
    assert.match(asserted.steps[0]?.message ?? '', /not JSON/);
    const extracted = await run(`
name: not-json-extract
schedule: "* * * * *"
steps:
  - { name: Page, request: { url: <<env.API>>/text }, extract: { a: $.a } }
`);
    assert.equal(extracted.steps[0]?.reason, 'extraction');
  });

  it('re-runs a failed run up to retries times and reports the last attempt', async () => {
    calls = {};
    const result = await run(`
name: flaky
schedule: "* * * * *"
retries: 2
steps:
  - { name: Flaky, request: { url: <<env.API>>/flaky } }
`);
    assert.equal(result.passed, true);
    assert.equal(result.attempts, 2);
    assert.equal(calls['/flaky'], 2);
  });

  it("bounds the whole run by the monitor's timeout, saying so", async () => {
    const result = await run(`
name: slow
schedule: "* * * * *"
timeout: 250ms
steps:
  - { name: First slow, request: { url: <<env.API>>/slow } }
`);
    assert.equal(result.steps[0]?.reason, 'timeout');
    assert.match(result.steps[0]?.message ?? '', /run's timeout of 250ms/);
  });

  it("fails a step on its own timeout, saying so", async () => {
    const result = await run(`
name: slow-step
schedule: "* * * * *"
steps:
  - { name: Slow, request: { url: <<env.API>>/slow, timeout: 100ms } }
`);
    assert.equal(result.steps[0]?.reason, 'timeout');
    assert.match(result.steps[0]?.message ?? '', /step's timeout of 100ms/);
  });

  it('fails with reason template when an env value is gone at run time', async () => {
    const monitor = monitorFromYaml(`
name: env-gone
schedule: "* * * * *"
steps:
  - { name: Uses env, request: { url: "<<env.API>>/items" } }
`, { API: api.url });
    const result = await runMonitor(monitor, { env: {} });
    assert.equal(result.steps[0]?.reason, 'template');
    assert.match(result.steps[0]?.message ?? '', /env\.API has no value/);
  });

  it('inserts a value once: a value holding << >> is not expanded again', async () => {
    const result = await run(`
name: once
schedule: "* * * * *"
steps:
  - name: Items
    request: { url: "<<env.API>>/items?q=<<env.TRICK>>" }
`, { TRICK: '<<env.OTHER>>', OTHER: 'expanded-again' });
    assert.equal(result.passed, true);
    assert.equal(new URLSearchParams(seen.query).get('q'), '<<env.OTHER>>', 'the server got the value as it was, not OTHER');
  });

  it('hides secret extractions, auth values and secret env values in the results it shows', async () => {
    const redactor = new Redactor(['tok-123-not-used']);
    const monitor = monitorFromYaml(`
name: secrets
schedule: "* * * * *"
steps:
  - name: Token
    request: { method: POST, url: <<env.API>>/token, auth: { basic: { username: me, password: <<env.API_PASSWORD>> } } }
    extract: { access_token: { jsonpath: $.access_token, secret: true } }
  - name: Leak
    request: { url: "<<env.API>>/items?pw=<<env.API_PASSWORD>>" }
    assert:
      jsonpath:
        $.items[0].id: { equals: "<<custom.access_token>> <<env.API_PASSWORD>>" }
`, { API: api.url, API_PASSWORD: 'hunter2hunter2' });
    const result = await runMonitor(monitor, { env: { API: api.url, API_PASSWORD: 'hunter2hunter2' }, redactor });
    const text = JSON.stringify(redactRun(result));
    assert.equal(result.steps[1]?.reason, 'assertion');
    assert.ok(text.includes("[redacted]"), text);
    assert.ok(!text.includes('hunter2'), text);
    // tok-123 is 7 characters: known as a secret, but not searched for in free text (the contract).
    assert.ok(text.includes("to equal 'tok-123 [redacted]'"), text);
  });
});
