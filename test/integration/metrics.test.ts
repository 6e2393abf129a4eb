import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import zlib from 'node:zlib';
import { Registry } from 'prom-client';
import { MetricsObserver } from '../../src/metrics/metrics-observer.js';
import { buildApp } from '../../src/server/app.js';
import type { RunResult, StepResult } from '../../src/core/results.js';
import { FAILURE_REASONS } from '../../src/core/failure.js';
import { monitorFromYaml } from '../support/monitors.js';

const GOLDEN = new URL('../fixtures/golden/metrics.txt', import.meta.url);

const monitorYaml = `
name: shop
schedule: "* * * * *"
labels: { team: shop, tier: gold }
steps:
  - { name: Get token, request: { url: "https://auth.example.com/token" } }
  - { name: List items, request: { url: "https://api.example.com/items" } }
`;
const monitor = monitorFromYaml(monitorYaml);

const passed = (name: string, durationMs: number): StepResult => ({ name, status: 'passed', durationMs, httpStatus: 200, phases: { dns: 2, connect: 4, tls: 8, ttfb: 50, transfer: 1 }, tlsCertExpiresAt: 1_800_000_000 });
const run = (startedAt: number, steps: StepResult[]): RunResult => ({ monitor: 'shop', passed: steps.every((s) => s.status === 'passed'), startedAt, durationMs: steps.reduce((n, s) => n + s.durationMs, 0), attempts: 1, steps });

const NEXT_RUN = new Date(1_700_000_180_000);
const reused = (name: string): StepResult => ({ name, status: 'passed', durationMs: 0.2, message: 'reused a token that is still valid' });

/** Writes the golden file and fails, so a run with UPDATE_GOLDEN=1 never passes by comparing the file with itself. */
function compareWithGolden(actual: string): void {
  if (process.env.UPDATE_GOLDEN === '1') {
    writeFileSync(GOLDEN, actual);
    assert.fail(`wrote ${GOLDEN.pathname}; review the diff, then run the tests again without UPDATE_GOLDEN=1`);
  }
  assert.equal(actual, readFileSync(GOLDEN, 'utf8'), 'the /metrics text differs from test/fixtures/golden/metrics.txt (UPDATE_GOLDEN=1 rewrites it)');
}

describe('the /metrics endpoint', () => {
  it('matches the golden file after a scripted pass, a failure with a reused token, a connection failure and a skipped tick', async () => {
    const registry = new Registry();
    const metrics = new MetricsObserver(registry, { processMetrics: false, nextRun: (name) => (name === 'shop' ? NEXT_RUN : undefined) });
    metrics.configLoaded([monitor], { active: 1, invalid: 1, disabled: 0 }, false);
    metrics.runFinished(monitor, run(1_700_000_000_000, [passed('Get token', 120), passed('List items', 80)]));
    metrics.runFinished(monitor, run(1_700_000_060_000, [reused('Get token'), { name: 'List items', status: 'failed', durationMs: 30, httpStatus: 503, reason: 'status', message: 'expected a 2xx status, got 503', phases: { dns: 1, connect: 2, tls: 3, ttfb: 20, transfer: 4 } }]));
    metrics.runFinished(monitor, run(1_700_000_120_000, [{ name: 'Get token', status: 'failed', durationMs: 5, reason: 'connection', message: 'connection failed: ECONNREFUSED', phases: { dns: 0, connect: 5, tls: 0, ttfb: 0, transfer: 0 } }, { name: 'List items', status: 'skipped', durationMs: 0 }]));
    metrics.runSkipped(monitor);
    const app = buildApp({ metrics, isReady: () => true });
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    compareWithGolden(response.body);
  });

  it('says what the last executed run of each step measured, and nothing it did not measure', async () => {
    const metrics = new MetricsObserver(new Registry(), { processMetrics: false });
    metrics.configLoaded([monitor], { active: 1, invalid: 0, disabled: 0 }, true);
    let text = await metrics.render();
    for (const reason of FAILURE_REASONS) assert.ok(text.includes(`stepwatch_step_failures_total{monitor="shop",step="List items",reason="${reason}"} 0`), `${reason} counts from 0 before any run`);
    assert.match(text, /^stepwatch_monitor_runs_total\{monitor="shop",result="failure"\} 0$/m);

    metrics.runFinished(monitor, run(1_700_000_000_000, [passed('Get token', 120), passed('List items', 80)]));
    metrics.runFinished(monitor, run(1_700_000_060_000, [reused('Get token'), { name: 'List items', status: 'failed', durationMs: 30, httpStatus: 503, reason: 'status', message: 'got 503', phases: { dns: 1, connect: 2, tls: 3, ttfb: 20, transfer: 4 } }]));
    text = await metrics.render();
    assert.match(text, /^stepwatch_step_up\{monitor="shop",step="Get token"\} 1$/m);
    assert.doesNotMatch(text, /stepwatch_step_(http_status_code|phase_duration_seconds|tls_cert_expiry_timestamp_seconds)\{monitor="shop",step="Get token"/, 'a reused token measured no status, phase or certificate');
    assert.match(text, /^stepwatch_step_last_failure_reason\{monitor="shop",step="List items",reason="status"\} 1$/m);
    assert.doesNotMatch(text, /stepwatch_step_tls_cert_expiry_timestamp_seconds\{monitor="shop",step="List items"/, 'no certificate in the last execution, no sample');

    metrics.runFinished(monitor, run(1_700_000_120_000, [{ name: 'Get token', status: 'failed', durationMs: 5, reason: 'connection', message: 'refused', phases: { dns: 0, connect: 5, tls: 0, ttfb: 0, transfer: 0 } }, { name: 'List items', status: 'skipped', durationMs: 0 }]));
    text = await metrics.render();
    assert.match(text, /^stepwatch_step_http_status_code\{monitor="shop",step="Get token"\} 0$/m, 'a request without an answer is status 0');
    assert.match(text, /^stepwatch_step_last_failure_reason\{monitor="shop",step="Get token",reason="connection"\} 1$/m);
    assert.match(text, /^stepwatch_step_last_failure_reason\{monitor="shop",step="List items",reason="status"\} 1$/m, 'a skipped step keeps the reason of its last executed run');
    assert.doesNotMatch(text, /stepwatch_step_(up|http_status_code|phase_duration_seconds)\{monitor="shop",step="List items"/, 'a skipped step has no up, status or phase sample');

    metrics.runFinished(monitor, run(1_700_000_180_000, [passed('Get token', 100), passed('List items', 90)]));
    text = await metrics.render();
    assert.doesNotMatch(text, /stepwatch_step_last_failure_reason\{/, 'a pass removes the reason');
    assert.match(text, /^stepwatch_step_tls_cert_expiry_timestamp_seconds\{monitor="shop",step="List items"\} 1800000000$/m);
    assert.match(text, /^stepwatch_step_failures_total\{monitor="shop",step="List items",reason="status"\} 1$/m);
  });

  it('exports when the next run of each enabled monitor is due, from the scheduler', async () => {
    const off = { ...monitorFromYaml('name: off\nschedule: "* * * * *"\nenabled: false\nsteps: [{ name: a, request: { url: "http://h/" } }]\n') };
    const asked: string[] = [];
    const metrics = new MetricsObserver(new Registry(), { processMetrics: false, nextRun: (name) => (asked.push(name), NEXT_RUN) });
    metrics.configLoaded([monitor, off], { active: 1, invalid: 0, disabled: 1 }, true);
    const text = await metrics.render();
    assert.match(text, /^stepwatch_monitor_next_run_timestamp_seconds\{monitor="shop"\} 1700000180$/m);
    assert.doesNotMatch(text, /stepwatch_monitor_next_run_timestamp_seconds\{monitor="off"\}/);
    assert.deepEqual(asked, ['shop']);
  });

  it('drops the series of a monitor that is removed and of a step that is renamed, and a late run of the old definition brings none back', async () => {
    const metrics = new MetricsObserver(new Registry(), { processMetrics: false });
    metrics.configLoaded([monitor], { active: 1, invalid: 0, disabled: 0 }, true);
    metrics.runFinished(monitor, run(1_700_000_000_000, [passed('Get token', 120), passed('List items', 80)]));
    const renamed = monitorFromYaml(monitorYaml.replace('List items', 'List all items'));
    metrics.configLoaded([renamed], { active: 1, invalid: 0, disabled: 0 }, true);
    let text = await metrics.render();
    assert.ok(!text.includes('step="List items"'), 'the renamed step is gone');
    assert.ok(text.includes('stepwatch_step_up{monitor="shop",step="Get token"} 1'));
    metrics.runFinished(monitor, run(1_700_000_060_000, [passed('Get token', 120), { name: 'List items', status: 'failed', durationMs: 3, reason: 'timeout', message: 'late', phases: { dns: 0, connect: 1, tls: 0, ttfb: 0, transfer: 0 } }]));
    text = await metrics.render();
    assert.ok(!text.includes('step="List items"'), `a run of the old definition that ends now brings the old step back:\n${text}`);
    assert.match(text, /^stepwatch_monitor_up\{monitor="shop"\} 1$/m, 'nor does it set the state of the new definition');
    assert.match(text, /^stepwatch_monitor_runs_total\{monitor="shop",result="failure"\} 1$/m, 'it is still counted');

    metrics.configLoaded([], { active: 0, invalid: 0, disabled: 0 }, true);
    metrics.runFinished(renamed, run(1_700_000_120_000, [passed('Get token', 120), passed('List all items', 80)]));
    metrics.runSkipped(renamed);
    text = await metrics.render();
    assert.ok(!text.includes('monitor="shop"'), text);
  });

  it('keeps no state series of a disabled monitor, even from a run that was in flight, and counts it again once enabled', async () => {
    const metrics = new MetricsObserver(new Registry(), { processMetrics: false, nextRun: () => NEXT_RUN });
    metrics.configLoaded([monitor], { active: 1, invalid: 0, disabled: 0 }, true);
    const failing = run(1_700_000_000_000, [{ name: 'Get token', status: 'failed', durationMs: 5, reason: 'tls', message: 'expired', phases: { dns: 0, connect: 1, tls: 2, ttfb: 0, transfer: 0 }, tlsCertExpiresAt: 1_600_000_000 }, { name: 'List items', status: 'skipped', durationMs: 0 }]);
    metrics.runFinished(monitor, failing);
    const disabled = monitorFromYaml(`${monitorYaml}enabled: false\n`);
    metrics.configLoaded([disabled], { active: 0, invalid: 0, disabled: 1 }, true);
    metrics.runFinished(monitor, failing);
    metrics.runFinished(disabled, { ...failing, monitor: 'shop' });
    const text = await metrics.render();
    assert.doesNotMatch(text, /stepwatch_(monitor_up|monitor_consecutive_failures|monitor_last_run_timestamp_seconds|monitor_next_run_timestamp_seconds|step_up|step_http_status_code|step_phase_duration_seconds|step_tls_cert_expiry_timestamp_seconds|step_last_failure_reason)\{/, text);
    assert.match(text, /^stepwatch_step_failures_total\{monitor="shop",step="Get token",reason="tls"\} 3$/m, 'counters stay, so increase() sees no reset');
    metrics.configLoaded([monitor], { active: 1, invalid: 0, disabled: 0 }, true);
    metrics.runFinished(monitor, failing);
    assert.match(await metrics.render(), /^stepwatch_monitor_consecutive_failures\{monitor="shop"\} 1$/m, 'failures in a row start again after a disable');
  });

  it('shows in every scrape each run that finished before it, also the runs right after the scrape before', async () => {
    // More monitors than are rebuilt per turn; after the first scrape each was rebuilt a moment
    // ago, so their next runs wait for a later rebuild, which the scrape must do first.
    const monitors = Array.from({ length: 50 }, (_, i) => monitorFromYaml(monitorYaml.replace('name: shop', `name: shop-${i}`)));
    const metrics = new MetricsObserver(new Registry(), { processMetrics: false });
    metrics.configLoaded(monitors, { active: monitors.length, invalid: 0, disabled: 0 }, true);
    const app = buildApp({ metrics, isReady: () => true });
    for (let round = 1; round <= 3; round++) {
      for (const m of monitors) metrics.runFinished(m, run(1_700_000_000_000 + round * 60_000, [passed('Get token', 10 * round), passed('List items', 80)]));
      const response = await app.inject({ method: 'GET', url: '/metrics', headers: { 'accept-encoding': 'gzip' } });
      const text = zlib.gunzipSync(response.rawPayload).toString();
      for (const m of monitors) {
        assert.ok(text.includes(`stepwatch_monitor_runs_total{monitor="${m.name}",result="success"} ${round}\n`), `round ${round}: ${m.name} shows ${round} runs`);
        assert.ok(text.includes(`stepwatch_step_duration_seconds_count{monitor="${m.name}",step="Get token"} ${round}\n`), `round ${round}: ${m.name}'s step histogram counts ${round}`);
      }
    }
  });

  it('answers gzip to a scraper that asks for it, the same text as the plain answer, and plain to one that refuses it', async () => {
    const metrics = new MetricsObserver(new Registry(), { processMetrics: false });
    metrics.configLoaded([monitor], { active: 1, invalid: 0, disabled: 0 }, true);
    metrics.runFinished(monitor, run(1_700_000_000_000, [passed('Get token', 120), passed('List items', 80)]));
    const app = buildApp({ metrics, isReady: () => true });
    const plain = await app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.match(plain.body, /^stepwatch_step_up\{monitor="shop",step="List items"\} 1$/m);
    const gzip = await app.inject({ method: 'GET', url: '/metrics', headers: { 'accept-encoding': 'deflate, gzip;q=0.8, br' } });
    assert.equal(gzip.headers['content-encoding'], 'gzip');
    assert.match(String(gzip.headers.vary), /accept-encoding/i);
    assert.equal(zlib.gunzipSync(gzip.rawPayload).toString(), plain.body);
    const refused = await app.inject({ method: 'GET', url: '/metrics', headers: { 'accept-encoding': 'gzip;q=0, identity' } });
    assert.equal(refused.headers['content-encoding'], undefined);
    assert.equal(refused.body, plain.body);
  });

  it('adds the constant labels to every series of every monitor and step, and to no other series', async () => {
    const other = monitorFromYaml('name: other\nschedule: "* * * * *"\nsteps: [{ name: a, request: { url: "http://h/" } }]\n');
    const metrics = new MetricsObserver(new Registry(), { processMetrics: false, nextRun: () => NEXT_RUN, constantLabels: { location: 'eu "west"' } });
    metrics.configLoaded([monitor, other], { active: 2, invalid: 0, disabled: 0 }, true);
    metrics.runFinished(monitor, run(1_700_000_000_000, [passed('Get token', 120), { name: 'List items', status: 'failed', durationMs: 30, httpStatus: 503, reason: 'status', message: 'got 503', phases: { dns: 1, connect: 2, tls: 3, ttfb: 20, transfer: 4 } }]));
    const text = await metrics.render();
    const samples = text.split('\n').filter((l) => l && !l.startsWith('#'));
    const ofMonitors = samples.filter((l) => l.includes('monitor="'));
    assert.ok(ofMonitors.length > 60, text);
    for (const sampleLine of ofMonitors) assert.match(sampleLine, /^[a-z_]+\{monitor="(shop|other)",location="eu \\"west\\""[,}]/, sampleLine);
    for (const sampleLine of samples.filter((l) => !l.includes('monitor="'))) assert.doesNotMatch(sampleLine, /location=/);
    assert.match(text, /^stepwatch_monitor_info\{monitor="shop",location="eu \\"west\\"",team="shop",tier="gold"\} 1$/m);
    assert.match(text, /^stepwatch_monitor_next_run_timestamp_seconds\{monitor="other",location="eu \\"west\\""\} 1700000180$/m);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.equal((check.stdout + check.stderr).trim(), '', 'promtool finds nothing to say of the exposition');
  });

  it('refuses a constant label that is not a label name or that stepwatch sets itself', () => {
    for (const name of ['step', 'reason', '__location', 'lo-cation']) {
      assert.throws(() => new MetricsObserver(new Registry(), { processMetrics: false, constantLabels: { [name]: 'x' } }), new RegExp(`'${name}' cannot be a constant label`));
    }
  });
});
