import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { buildApp } from '../../src/server/app.js';
import { MetricsObserver } from '../../src/metrics/metrics-observer.js';
import { StatusStore } from '../../src/status/status-store.js';
import { Scheduler } from '../../src/schedule/scheduler.js';
import { Redactor } from '../../src/redaction/redactor.js';
import { runMonitor } from '../../src/run/run-monitor.js';
import { combineObservers } from '../../src/run/observer.js';
import type { Monitor } from '../../src/core/monitor.js';
import type { InvalidDocument } from '../../src/config/catalog.js';
import { json, startHttpServer } from '../support/servers.js';
import type { TestServer } from '../support/servers.js';
import { monitorFromYaml } from '../support/monitors.js';
import { signal, within } from '../support/wait.js';
import { DEFAULT_START_SPREAD_MS, startOffsetMs } from '../../src/schedule/start-offset.js';

const CANARY = 'canary-api-secret-5e6f';
const TOKEN = 'api-token-for-tests';

describe('the JSON API and the status page', () => {
  let api: TestServer;
  let release: () => void = () => {};
  let slowArrived = signal();
  let monitors: Monitor[];
  let scheduler: Scheduler;
  let app: ReturnType<typeof buildApp>;
  const invalid: InvalidDocument[] = [{ file: 'monitors/broken.yaml', name: 'broken', keptLastGood: false, diagnostics: [{ file: 'monitors/broken.yaml', line: 3, col: 1, message: "unknown field 'retires'" }] }];

  before(async () => {
    api = await startHttpServer((req, res) => {
      if (req.url === '/slow') {
        release = () => json(res, 200, {});
        slowArrived.resolve();
        return;
      }
      // An answer with markup and an echoed credential, as a careless API might give.
      res.writeHead(500, { 'content-type': 'text/html', 'set-cookie': `session=${CANARY}` });
      res.end(`<script>alert("xss")</script> key=${CANARY}`);
    });
    const env = { API: api.url, SERVICE_API_KEY: CANARY };
    monitors = [
      monitorFromYaml(`
name: xss
schedule: "0 0 1 1 *"
steps:
  - name: "<script>alert('step')</script>"
    request: { url: "<<env.API>>/broken?key=<<env.SERVICE_API_KEY>>" }
`, env),
      monitorFromYaml(`
name: slow
schedule: "0 0 1 1 *"
steps: [{ name: Slow, request: { url: "<<env.API>>/slow" } }]
`, env),
      monitorFromYaml(`
name: off
schedule: "0 0 1 1 *"
enabled: false
steps: [{ name: Ping, request: { url: "<<env.API>>/slow" } }]
`, env),
    ];
    const status = new StatusStore();
    const metrics = new MetricsObserver(new Registry(), { processMetrics: false });
    const observer = combineObservers([status, metrics]);
    const redactor = new Redactor([CANARY]);
    scheduler = new Scheduler({ run: (monitor) => runMonitor(monitor, { env, redactor, observer }), observer, onInternalError: (_m, error) => assert.fail(String(error)) });
    scheduler.sync(monitors);
    const directory = { monitors: () => monitors, get: (name: string) => monitors.find((m) => m.name === name), invalid: () => invalid };
    app = buildApp({ metrics, isReady: () => true, views: { monitors: directory, status, control: scheduler, apiToken: TOKEN } });
  });
  after(async () => {
    await scheduler.stop(1000);
    await app.close();
    await api.close();
  });

  const run = (name: string, authorization?: string) => app.inject({ method: 'POST', url: `/api/monitors/${name}/run`, headers: authorization ? { authorization } : {} });

  it('refuses to run without the token or with a wrong one, of any length', async () => {
    assert.equal((await run('xss')).statusCode, 401);
    const wrong = await run('xss', 'Bearer nope');
    assert.equal(wrong.statusCode, 401);
    assert.deepEqual(wrong.json(), { error: { code: 'UNAUTHORIZED', message: 'missing or wrong bearer token' } });
    // The comparison hashes both sides and compares the digests with timingSafeEqual, so its time
    // does not depend on where the tokens differ nor on their lengths. Time is not asserted in
    // tests (docs/testing.md): these cases pin what a replacement must still do. Same length,
    // wrong last or first character; a prefix and an extension of the token (a length check or a
    // raw timingSafeEqual, which throws on unequal lengths, would fail these); another scheme.
    const sameLength = [`${TOKEN.slice(0, -1)}X`, `X${TOKEN.slice(1)}`, TOKEN.toUpperCase()];
    const otherLength = [TOKEN.slice(0, -1), `${TOKEN}x`, `${TOKEN} `, TOKEN.repeat(2), 'x'];
    for (const token of [...sameLength, ...otherLength]) {
      const response = await run('xss', `Bearer ${token}`);
      assert.equal(response.statusCode, 401, token);
      assert.equal(response.json().error.code, 'UNAUTHORIZED', token);
    }
    for (const header of [`Basic ${TOKEN}`, `bearer ${TOKEN}`, `Bearer  ${TOKEN}`, TOKEN]) assert.equal((await run('xss', header)).statusCode, 401, header);
  });

  it('runs a monitor now and answers in the json reporter shape', async () => {
    const response = await run('xss', `Bearer ${TOKEN}`);
    assert.equal(response.statusCode, 200);
    const body = response.json() as { monitors: Array<{ name: string; passed: boolean; steps: Array<{ reason: string }> }> };
    assert.equal(body.monitors[0]?.name, 'xss');
    assert.equal(body.monitors[0]?.passed, false);
    assert.equal(body.monitors[0]?.steps[0]?.reason, 'status');
  });

  it('answers 409 while a run of the monitor is in progress', async () => {
    slowArrived = signal();
    const first = run('slow', `Bearer ${TOKEN}`);
    // The run is in progress once its request has reached the API (it answers when released).
    await within(slowArrived.promise, 'the first run reaches the API');
    const second = await run('slow', `Bearer ${TOKEN}`);
    assert.equal(second.statusCode, 409);
    assert.equal(second.json().error.code, 'RUN_IN_PROGRESS');
    release();
    assert.equal((await within(first, 'the first run ends once released')).statusCode, 200);
  });

  it('answers 404 with a JSON error for an unknown monitor, and 409 for a disabled one', async () => {
    for (const response of [await app.inject('/api/monitors/nope'), await run('nope', `Bearer ${TOKEN}`)]) {
      assert.equal(response.statusCode, 404);
      assert.deepEqual(response.json(), { error: { code: 'MONITOR_NOT_FOUND', message: "no monitor named 'nope'" } });
    }
    assert.equal((await run('off', `Bearer ${TOKEN}`)).json().error.code, 'MONITOR_DISABLED');
  });

  it('lists monitors with state, last run, schedule and next run, and the invalid ones', async () => {
    const body = (await app.inject('/api/monitors')).json() as { monitors: Array<Record<string, unknown>>; invalid: InvalidDocument[] };
    const xss = body.monitors.find((m) => m.name === 'xss');
    assert.equal(xss?.state, 'failing');
    assert.equal(xss?.schedule, '0 0 1 1 *');
    // The intended start: the tick plus the monitor's offset in the default 1 s spread window.
    const offset = String(startOffsetMs('xss', DEFAULT_START_SPREAD_MS)).padStart(3, '0');
    assert.match(String(xss?.nextRun), new RegExp(`^\\d{4}-01-01T00:00:00\\.${offset}Z$`));
    assert.equal((xss?.lastRun as { failedStep: string }).failedStep, "<script>alert('step')</script>");
    assert.equal(body.monitors.find((m) => m.name === 'off')?.state, 'disabled');
    assert.deepEqual(body.invalid, invalid);
  });

  it("gives a monitor's history with the failing response excerpt, redacted", async () => {
    const body = (await app.inject('/api/monitors/xss')).json() as { history: Array<{ steps: Array<{ response?: { status: number; headers: Record<string, string>; body: string } }> }> };
    const response = body.history[0]?.steps[0]?.response;
    assert.equal(response?.status, 500);
    assert.equal(response?.headers['set-cookie'], '[redacted]');
    assert.equal(response?.body, '<script>alert("xss")</script> key=[redacted]');
  });

  it('renders step names and response bodies as text on the pages, never as markup', async () => {
    for (const url of ['/', '/monitors/xss']) {
      const page = await app.inject(url);
      assert.equal(page.statusCode, 200);
      assert.match(String(page.headers['content-type']), /^text\/html/);
      assert.ok(!page.body.includes('<script>'), `${url} contains live markup`);
      assert.ok(page.body.includes('&lt;script&gt;alert(&#39;step&#39;)&lt;/script&gt;'));
    }
    assert.ok((await app.inject('/monitors/xss')).body.includes('&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;'));
  });

  it('never shows the canary secret in any API answer or page', async () => {
    for (const url of ['/', '/monitors/xss', '/monitors/slow', '/api/monitors', '/api/monitors/xss', '/metrics']) {
      const response = await app.inject(url);
      assert.ok(!response.body.includes(CANARY), `${url} shows the secret`);
    }
  });

  it('serves the same over a listening socket, and answers unknown paths with a JSON 404', async () => {
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const list = await fetch(`${url}/api/monitors`);
    assert.equal(list.status, 200);
    const missing = await fetch(`${url}/nowhere`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
  });
});

describe('the run endpoint without STEPWATCH_API_TOKEN', () => {
  it('is disabled', async () => {
    const directory = { monitors: () => [], get: () => undefined, invalid: () => [] };
    const scheduler = new Scheduler({ run: () => Promise.reject(new Error('unused')), onInternalError: () => {} });
    const app = buildApp({ metrics: new MetricsObserver(new Registry(), { processMetrics: false }), isReady: () => true, views: { monitors: directory, status: new StatusStore(), control: scheduler } });
    const response = await app.inject({ method: 'POST', url: '/api/monitors/any/run', headers: { authorization: 'Bearer x' } });
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().error.code, 'RUN_DISABLED');
  });
});
