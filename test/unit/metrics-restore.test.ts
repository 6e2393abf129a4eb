// What a restart restores into /metrics, exactly, and what an outcome says after a run; plus the
// text format's values and label escaping. The endpoint itself is tested in
// test/integration/metrics.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { MetricsObserver } from '../../src/metrics/metrics-observer.js';
import { escapeLabelValue, formatValue } from '../../src/metrics/exposition.js';
import type { MonitorOutcome } from '../../src/outcomes/outcome.js';
import type { RunResult } from '../../src/core/results.js';
import { monitorFromYaml } from '../support/monitors.js';

const monitor = monitorFromYaml('name: orders\nschedule: "0 0 1 1 *"\nsteps:\n  - name: Token\n    request: { url: "http://127.0.0.1:1/t" }\n  - name: List\n    request: { url: "http://127.0.0.1:1/l" }\n');
const counts = { active: 1, invalid: 0, disabled: 0 };
const failing: MonitorOutcome = { monitor: 'orders', revision: monitor.revision, up: false, consecutiveFailures: 4, finishedAt: 1_700_000_123_456, failedStep: 'List', reason: 'status' };

function observer(outcomes: MonitorOutcome[] = []) {
  const metrics = new MetricsObserver(new Registry(), { processMetrics: false, onOutcome: (outcome) => outcomes.push(outcome) });
  metrics.configLoaded([monitor], counts, true);
  return metrics;
}

const lines = async (metrics: MetricsObserver) => (await metrics.render()).split('\n').filter((line) => line.includes('monitor="orders"') && !line.startsWith('stepwatch_step_failures_total') && !line.startsWith('stepwatch_monitor_runs_total') && !line.startsWith('stepwatch_monitor_skipped') && !line.startsWith('stepwatch_monitor_info') && !line.startsWith('stepwatch_monitor_next'));

describe('a restored outcome in /metrics', () => {
  it('sets up, failures in a row, the finish time in seconds, and the failing step with its reason; counts it', async () => {
    const metrics = observer();
    assert.equal(metrics.restore([failing, { ...failing, monitor: 'gone' }]), 1);
    assert.deepEqual(await lines(metrics), [
      'stepwatch_monitor_up{monitor="orders"} 0',
      'stepwatch_monitor_last_run_timestamp_seconds{monitor="orders"} 1700000123.456',
      'stepwatch_monitor_consecutive_failures{monitor="orders"} 4',
      'stepwatch_step_up{monitor="orders",step="List"} 0',
      'stepwatch_step_last_failure_reason{monitor="orders",step="List",reason="status"} 1',
    ]);
  });

  it('sets no step for a passing outcome', async () => {
    const metrics = observer();
    assert.equal(metrics.restore([{ monitor: 'orders', revision: monitor.revision, up: true, consecutiveFailures: 0, finishedAt: 1_700_000_000_000 }]), 1);
    assert.deepEqual(await lines(metrics), [
      'stepwatch_monitor_up{monitor="orders"} 1',
      'stepwatch_monitor_last_run_timestamp_seconds{monitor="orders"} 1700000000',
      'stepwatch_monitor_consecutive_failures{monitor="orders"} 0',
    ]);
  });

  it('is refused for another definition, and once the monitor has run here', async () => {
    assert.equal(observer().restore([{ ...failing, revision: 'older' }]), 0);
    const metrics = observer();
    metrics.runFinished(monitor, { monitor: 'orders', passed: true, startedAt: 1_700_000_200_000, durationMs: 10, attempts: 1, steps: [] });
    assert.equal(metrics.restore([failing]), 0);
    assert.match(await metrics.render(), /^stepwatch_monitor_up\{monitor="orders"\} 1$/m);
  });
});

describe('the outcome told after a run', () => {
  it('finishes at the start plus the duration, and names the failing step and reason only when one failed', () => {
    const told: MonitorOutcome[] = [];
    const metrics = observer(told);
    const run = (passed: boolean): RunResult => ({
      monitor: 'orders',
      passed,
      startedAt: 1_700_000_000_000,
      durationMs: 250,
      attempts: 1,
      steps: [{ name: 'Token', status: 'passed', durationMs: 5 }, passed ? { name: 'List', status: 'passed', durationMs: 5 } : { name: 'List', status: 'failed', durationMs: 5, reason: 'timeout', message: 'm' }],
    });
    metrics.runFinished(monitor, run(false));
    metrics.runFinished(monitor, run(true));
    assert.deepEqual(told, [
      { monitor: 'orders', revision: monitor.revision, up: false, consecutiveFailures: 1, finishedAt: 1_700_000_000_250, failedStep: 'List', reason: 'timeout' },
      { monitor: 'orders', revision: monitor.revision, up: true, consecutiveFailures: 0, finishedAt: 1_700_000_000_250 },
    ]);
  });
});

describe('the text format', () => {
  it('writes NaN and infinities as Prometheus reads them', () => {
    assert.deepEqual([NaN, Infinity, -Infinity, 0.25].map(formatValue), ['NaN', '+Inf', '-Inf', '0.25']);
  });

  it('escapes backslashes, line feeds and quotes in label values', () => {
    assert.equal(escapeLabelValue('a\\b\nc"d'), 'a\\\\b\\nc\\"d');
  });
});
