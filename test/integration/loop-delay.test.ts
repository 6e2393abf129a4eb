import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { buildApp } from '../../src/server/app.js';
import { MetricsObserver } from '../../src/metrics/metrics-observer.js';
import { StatusStore } from '../../src/status/status-store.js';
import { Scheduler } from '../../src/schedule/scheduler.js';
import { Redactor } from '../../src/redaction/redactor.js';
import { runMonitor } from '../../src/run/run-monitor.js';
import { combineObservers } from '../../src/run/observer.js';
import { LoopDelayMeter } from '../../src/run/loop-delay.js';
import { createLogger } from '../../src/logging/logger.js';
import { logObserver } from '../../src/logging/log-observer.js';
import { json, startHttpServer } from '../support/servers.js';
import type { TestServer } from '../support/servers.js';
import { monitorFromYaml } from '../support/monitors.js';
import { signal } from '../support/wait.js';

const TOKEN = 'api-token-for-tests';

/** Keeps stepwatch's event loop busy, as a burst of due runs or a long garbage collection would. */
function blockLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('a run while stepwatch itself is overloaded', () => {
  let api: TestServer;
  let arrived = signal();
  let app: ReturnType<typeof buildApp>;
  let scheduler: Scheduler;
  const meter = new LoopDelayMeter({ thresholdMs: 200 }).start();
  const lines: Array<Record<string, unknown>> = [];

  before(async () => {
    // Answers after 20 ms; the test holds the loop while the request is in flight.
    api = await startHttpServer((_req, res) => {
      arrived.resolve();
      setTimeout(() => json(res, 200, { ok: true }), 20);
    });
    const env = { API: api.url };
    const monitor = monitorFromYaml('name: orders\nschedule: "0 0 1 1 *"\nsteps: [{ name: List orders, request: { url: "<<env.API>>/orders" }, assert: { latency: { lessThan: 300 } } }]\n', env);
    const redactor = new Redactor([]);
    const logger = createLogger({ redactor, destination: new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>), done()) }) });
    const status = new StatusStore();
    const observer = combineObservers([status, new MetricsObserver(new Registry(), { processMetrics: false }), logObserver(logger)]);
    scheduler = new Scheduler({ run: (m) => runMonitor(m, { env, redactor, observer, loopDelay: meter }), observer, onInternalError: (_m, error) => assert.fail(String(error)) });
    scheduler.sync([monitor]);
    const directory = { monitors: () => [monitor], get: (name: string) => (name === monitor.name ? monitor : undefined), invalid: () => [] };
    app = buildApp({ metrics: new MetricsObserver(new Registry(), { processMetrics: false }), isReady: () => true, views: { monitors: directory, status, control: scheduler, apiToken: TOKEN } });
  });
  after(async () => {
    meter.stop();
    await scheduler.stop(1000);
    await app.close();
    await api.close();
  });

  const runNow = async (blockMs: number) => {
    arrived = signal();
    const response = app.inject({ method: 'POST', url: '/api/monitors/orders/run', headers: { authorization: `Bearer ${TOKEN}` } });
    await arrived.promise;
    if (blockMs > 0) blockLoop(blockMs);
    const report = JSON.parse((await response).body) as { monitors: Array<Record<string, unknown>> };
    const history = JSON.parse((await app.inject({ method: 'GET', url: '/api/monitors/orders' })).body) as { history: Array<Record<string, unknown>> };
    const logged = lines.filter((line) => line.msg === 'run passed' || line.msg === 'run failed').at(-1);
    return { report: report.monitors[0] ?? {}, latest: history.history[0] ?? {}, logged: logged ?? {} };
  };

  it('fails its latency check and says in its result, in the API and in its log line that its timing is distorted, with how late the loop was', async () => {
    const { report, latest, logged } = await runNow(600);
    assert.equal(latest.reason, 'assertion', 'the 20 ms answer took over 300 ms as measured: the wait on the busy loop counted');
    for (const [where, shown] of Object.entries({ report, latest, logged })) {
      assert.equal(shown.passed, false, where);
      assert.equal(shown.timingDistorted, true, `${where}: ${JSON.stringify(shown)}`);
      // The loop was held 600 ms while the answer was on its way; the sampler ticks every 10 ms.
      assert.ok(typeof shown.eventLoopDelayMs === 'number' && shown.eventLoopDelayMs >= 300, `${where}: ${JSON.stringify(shown)}`);
    }
    assert.equal(logged.level, 'info');
  });

  it('says nothing of the kind for a run during which the loop kept up', async () => {
    const { report, latest, logged } = await runNow(0);
    for (const [where, shown] of Object.entries({ report, latest, logged })) {
      assert.equal(shown.passed, true, where);
      assert.equal('timingDistorted' in shown || 'eventLoopDelayMs' in shown, false, `${where}: ${JSON.stringify(shown)}`);
    }
  });
});
