import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { MetricsObserver } from '../../src/metrics/metrics-observer.js';
import { buildApp } from '../../src/server/app.js';
import type { RunResult, StepResult } from '../../src/core/results.js';
import { monitorFromYaml } from '../support/monitors.js';

const GOLDEN = new URL('../fixtures/golden/metrics.txt', import.meta.url);

const monitor = monitorFromYaml(`
name: shop
schedule: "* * * * *"
labels: { team: shop, tier: gold }
steps:
  - { name: Get token, request: { url: "https://auth.example.com/token" } }
  - { name: List items, request: { url: "https://api.example.com/items" } }
`);

const passed = (name: string, durationMs: number): StepResult => ({ name, status: 'passed', durationMs, httpStatus: 200, phases: { dns: 2, connect: 4, tls: 8, ttfb: 50, transfer: 1 }, tlsCertExpiresAt: 1_800_000_000 });
const run = (startedAt: number, steps: StepResult[]): RunResult => ({ monitor: 'shop', passed: steps.every((s) => s.status === 'passed'), startedAt, durationMs: steps.reduce((n, s) => n + s.durationMs, 0), attempts: 1, steps });

describe('the /metrics endpoint', () => {
  it('matches the golden file after a scripted pass, two failures and a skipped tick', async () => {
    const registry = new Registry();
    const metrics = new MetricsObserver(registry, { processMetrics: false });
    metrics.configLoaded([monitor], { active: 1, invalid: 1, disabled: 0 }, false);
    metrics.runFinished(monitor, run(1_700_000_000_000, [passed('Get token', 120), passed('List items', 80)]));
    metrics.runFinished(monitor, run(1_700_000_060_000, [passed('Get token', 110), { name: 'List items', status: 'failed', durationMs: 30, httpStatus: 503, reason: 'status', message: 'expected a 2xx status, got 503', phases: { dns: 1, connect: 2, tls: 3, ttfb: 20, transfer: 4 } }]));
    metrics.runFinished(monitor, run(1_700_000_120_000, [{ name: 'Get token', status: 'failed', durationMs: 5, reason: 'connection', message: 'connection failed: ECONNREFUSED', phases: { dns: 0, connect: 5, tls: 0, ttfb: 0, transfer: 0 } }, { name: 'List items', status: 'skipped', durationMs: 0 }]));
    metrics.runSkipped(monitor);
    const app = buildApp({ metrics, isReady: () => true });
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, response.body);
    assert.equal(response.body, readFileSync(GOLDEN, 'utf8'));
    assert.ok(!/stepwatch_step_up\{[^}]*step="List items"/.test(response.body), 'a skipped step has no step_up sample');
    assert.ok(response.body.includes('stepwatch_step_http_status_code{monitor="shop",step="Get token"} 0'), 'no answer means status 0');
  });

  it('drops the series of a monitor that is removed and of a step that is renamed', async () => {
    const registry = new Registry();
    const metrics = new MetricsObserver(registry, { processMetrics: false });
    metrics.configLoaded([monitor], { active: 1, invalid: 0, disabled: 0 }, true);
    metrics.runFinished(monitor, run(1_700_000_000_000, [passed('Get token', 120), passed('List items', 80)]));
    const renamed = { ...monitor, steps: [monitor.steps[0]!, { ...monitor.steps[1]!, name: 'List all items' }] };
    metrics.configLoaded([renamed], { active: 1, invalid: 0, disabled: 0 }, true);
    let text = await metrics.render();
    assert.ok(!text.includes('step="List items"'), 'the renamed step is gone');
    assert.ok(text.includes('stepwatch_step_up{monitor="shop",step="Get token"} 1'));
    metrics.configLoaded([], { active: 0, invalid: 0, disabled: 0 }, true);
    text = await metrics.render();
    assert.ok(!text.includes('monitor="shop"'), text);
  });
});
