import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/logging/logger.js';
import { logObserver } from '../../src/logging/log-observer.js';
import { Redactor, secretEnvValues } from '../../src/redaction/redactor.js';
import { runMonitor } from '../../src/run/run-monitor.js';
import { reporters, REPORTERS } from '../../src/report/reporters.js';
import { json, startHttpServer } from '../support/servers.js';
import type { TestServer } from '../support/servers.js';
import { monitorFromYaml } from '../support/monitors.js';

const CANARY_ENV = 'canary-env-9f8e7d';
const CANARY_TOKEN = 'canary-token-1a2b3c';
const CANARY_PASSWORD = 'canary-pw:+/%';
const CANARIES = [CANARY_ENV, CANARY_TOKEN, CANARY_PASSWORD, encodeURIComponent(CANARY_PASSWORD), Buffer.from(`me:${CANARY_PASSWORD}`).toString('base64')];

describe('secrets in logs and reports', () => {
  let api: TestServer;
  before(async () => {
    // A careless API that echoes every credential it gets back, in the body and in a cookie.
    api = await startHttpServer((req, res) => {
      if (req.url?.startsWith('/token')) return json(res, 200, { access_token: CANARY_TOKEN, token_type: 'Bearer' });
      json(res, 500, { echo: { authorization: req.headers.authorization, url: req.url, key: req.headers['x-api-key'] } }, { 'set-cookie': `session=${CANARY_TOKEN}` });
    });
  });
  after(() => api.close());

  it('never shows a canary secret, at debug level or in any reporter', async () => {
    const env = { API: api.url, SERVICE_API_KEY: CANARY_ENV, PASSWORD_FOR_ME: CANARY_PASSWORD };
    const monitor = monitorFromYaml(`
name: leaky
schedule: "* * * * *"
steps:
  - name: Token
    request:
      method: POST
      url: <<env.API>>/token
      auth: { basic: { username: me, password: <<env.PASSWORD_FOR_ME>> } }
    extract:
      access_token: { jsonpath: $.access_token, secret: true }
  - name: Call
    request:
      url: <<env.API>>/call
      query: { key: <<env.SERVICE_API_KEY>> }
      headers:
        Authorization: Bearer <<custom.access_token>>
        X-Api-Key: <<env.SERVICE_API_KEY>>
    assert:
      body: { contains: <<custom.access_token>> }
      status: 200
`, env);
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const redactor = new Redactor(secretEnvValues(env));
    const logger = createLogger({ level: 'debug', redactor, destination: stream });
    logger.debug({ env }, 'environment as a careless caller might log it');
    const result = await runMonitor(monitor, { env, redactor, observer: logObserver(logger) });
    assert.equal(result.steps[1]?.reason, 'status');
    assert.ok(lines.some((line) => JSON.parse(line).level === 'debug' && line.includes('"response"')), 'debug lines carry the response excerpt');
    assert.ok(lines.some((line) => line.includes('[redacted]')));
    const outputs = { logs: lines.join('\n'), ...Object.fromEntries(REPORTERS.map((name) => [name, reporters[name]([result])])) };
    for (const [where, text] of Object.entries(outputs)) {
      for (const canary of CANARIES) assert.ok(!text.includes(canary), `${where} shows ${canary}:\n${text}`);
    }
    const warn = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry.level === 'warn');
    assert.deepEqual({ monitor: warn?.monitor, step: warn?.step, reason: warn?.reason }, { monitor: 'leaky', step: 'Call', reason: 'status' });
    assert.equal(warn?.msg, 'expected status to equal 200, got 500');
  });
});
