// The status page's charts, availability and incidents, and the same data in the JSON API, from
// a status store fed with runs as the runner reports them.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { buildApp } from '../../src/server/app.js';
import { MetricsObserver } from '../../src/metrics/metrics-observer.js';
import { StatusStore } from '../../src/status/status-store.js';
import type { RunResult, StepResult } from '../../src/core/results.js';
import { monitorFromYaml } from '../support/monitors.js';
import { MONITORS_PER_PAGE } from '../../src/server/monitor-views.js';

const MINUTE = 60_000;
const NEXT_RUN = new Date(Date.now() + 90_000);

const monitor = monitorFromYaml(`
name: shop
schedule: "* * * * *"
steps:
  - { name: Get a token, request: { url: "http://127.0.0.1:1/token" } }
  - { name: List orders, request: { url: "http://127.0.0.1:1/orders" } }
`);

function step(name: string, passed: boolean, ttfb: number): StepResult {
  const phases = { dns: 1, connect: 2, tls: 3, ttfb, transfer: 1 };
  const durationMs = 7 + ttfb;
  return passed
    ? { name, status: 'passed', durationMs, httpStatus: 200, phases }
    : { name, status: 'failed', durationMs, httpStatus: 503, phases, reason: 'status', message: 'expected status to equal 200, got 503', response: { status: 503, headers: { 'content-type': 'text/plain' }, body: 'orders are down', truncated: false } };
}

/** Ten runs a minute apart, oldest first: runs 4 and 5 fail at the second step, the rest pass. */
function history(): RunResult[] {
  const start = Date.now() - 10 * MINUTE;
  return Array.from({ length: 10 }, (_, i) => {
    const passed = i !== 4 && i !== 5;
    return { monitor: 'shop', passed, startedAt: start + i * MINUTE, durationMs: 30 + i, attempts: 1, steps: [step('Get a token', true, 10), step('List orders', passed, 20 + i)] };
  });
}

describe('the status page charts, availability and incidents', () => {
  let app: ReturnType<typeof buildApp>;
  before(() => {
    const status = new StatusStore();
    for (const run of history()) status.runFinished(monitor, run);
    const control = { trigger: () => undefined, isRunning: () => false, isStopped: () => false, nextRun: () => NEXT_RUN };
    const directory = { monitors: () => [monitor], get: (name: string) => (name === 'shop' ? monitor : undefined), invalid: () => [] };
    app = buildApp({ metrics: new MetricsObserver(new Registry(), { processMetrics: false }), isReady: () => true, views: { monitors: directory, status, control } });
  });

  it('gives availability over the kept runs in the summary, and no 24 h figure the history cannot back', async () => {
    const body = (await app.inject('/api/monitors')).json() as { monitors: Array<{ availability: unknown; recentDurationsMs: number[] }> };
    assert.deepEqual(body.monitors[0]?.availability, { history: { ratio: 0.8, runs: 10, passed: 8 }, '24h': null, '7d': null });
    assert.deepEqual(body.monitors[0]?.recentDurationsMs, [39, 38, 37, 36, 35, 34, 33, 32, 31, 30]);
  });

  it('lists the incident with its step, reason, duration and the answer kept', async () => {
    const response = await app.inject('/api/monitors/shop/incidents');
    assert.equal(response.statusCode, 200);
    const body = response.json() as { monitor: string; incidents: Array<Record<string, unknown>> };
    assert.equal(body.monitor, 'shop');
    assert.equal(body.incidents.length, 1);
    const [incident] = body.incidents;
    assert.equal(incident?.step, 'List orders');
    assert.equal(incident?.reason, 'status');
    assert.equal(incident?.failedRuns, 2);
    assert.equal(incident?.durationMs, 2 * MINUTE);
    assert.deepEqual((incident?.excerpt as { body: string }).body, 'orders are down');
    assert.equal((await app.inject('/api/monitors/nope/incidents')).json().error.code, 'MONITOR_NOT_FOUND');
  });

  it('draws a latency chart per step, stacked by phase, with the failed runs marked by step and reason', async () => {
    const page = (await app.inject('/monitors/shop')).body;
    const charts = [...page.matchAll(/<figure class="chart">([\s\S]*?)<\/figure>/g)].map((match) => match[1] ?? '');
    assert.equal(charts.length, 2, 'one chart per step');
    const [token, orders] = charts as [string, string];
    assert.match(token, /aria-label="Latency of step Get a token over 10 runs: median 17 ms, slowest 17 ms/);
    assert.match(orders, /aria-label="Latency of step List orders over 10 runs: median 31 ms, slowest 36 ms, latest 36 ms; 2 failed runs marked"/);
    for (const phase of ['dns', 'connect', 'tls', 'ttfb', 'transfer']) assert.equal(orders.split(`<rect class="phase-${phase}"`).length - 1, 10, `one ${phase} segment per run`);
    const marks = [...orders.matchAll(/<title>failed at [^<]*: List orders \(status\)<\/title>/g)];
    assert.equal(marks.length, 2);
  });

  it('shows the incident, the availability and the next run on the monitor page', async () => {
    const page = (await app.inject('/monitors/shop')).body;
    const incident = /<li class="incident">([\s\S]*?)<\/li>/.exec(page)?.[1] ?? '';
    assert.match(incident, /Resolved/);
    assert.match(incident, /2 min, 2 failed runs/);
    assert.match(incident, /Step <strong>List orders<\/strong> failed with <strong>status<\/strong>: expected status to equal 200, got 503/);
    assert.match(incident, /orders are down/);
    assert.match(page, /Availability <strong>80\.0%<\/strong>/);
    assert.ok(page.includes(`next run <time datetime="${NEXT_RUN.toISOString()}">`));
  });

  it('draws a duration sparkline on the overview that says in words what it shows', async () => {
    const page = (await app.inject('/')).body;
    assert.match(page, /<svg class="spark"[^>]*aria-label="Run duration over the last 10 runs: 30 ms to 39 ms, latest 39 ms; 2 failed"/);
    assert.equal(page.split('<circle').length - 1, 2, 'one dot per failed run');
    assert.match(page, /<td>80\.0%<\/td>/);
  });
});

describe('the overview with more monitors than a page holds', () => {
  it('puts failing monitors first and splits the rest into pages', async () => {
    const monitors = Array.from({ length: MONITORS_PER_PAGE + 1 }, (_, i) => ({ ...monitor, name: `m-${String(i).padStart(3, '0')}` }));
    const status = new StatusStore();
    const last = monitors.at(-1) as typeof monitor;
    for (const m of monitors) status.runFinished(m, { ...(history().at(-1) as RunResult), monitor: m.name, passed: m !== last });
    const control = { trigger: () => undefined, isRunning: () => false, isStopped: () => false, nextRun: () => NEXT_RUN };
    const directory = { monitors: () => monitors, get: () => undefined, invalid: () => [] };
    const app = buildApp({ metrics: new MetricsObserver(new Registry(), { processMetrics: false }), isReady: () => true, views: { monitors: directory, status, control } });
    const rowsOf = (page: string) => [...page.matchAll(/<a href="\/monitors\/(m-\d+)">/g)].map((match) => match[1]);
    const first = (await app.inject('/')).body;
    assert.equal(rowsOf(first).length, MONITORS_PER_PAGE);
    assert.equal(rowsOf(first)[0], last.name, 'the failing monitor leads the first page');
    assert.match(first, new RegExp(`Monitors 1–${MONITORS_PER_PAGE} of ${MONITORS_PER_PAGE + 1}, failing first; page 1 of 2\\.`));
    assert.ok(first.includes('<a href="/?page=2" rel="next">'));
    assert.deepEqual(rowsOf((await app.inject('/?page=2')).body), [`m-${String(MONITORS_PER_PAGE - 1).padStart(3, '0')}`]);
    assert.equal(rowsOf((await app.inject('/?page=banana')).body)[0], last.name, 'a page that is not a number shows the first');
  });
});
