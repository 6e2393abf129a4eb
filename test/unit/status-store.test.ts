import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Monitor } from '../../src/core/monitor.js';
import type { RunResult, StepResult } from '../../src/core/results.js';
import { EXCERPTS_KEPT, StatusStore } from '../../src/status/status-store.js';

const monitor = { name: 'orders' } as Monitor;
const phases = { dns: 0.4, connect: 1.25, tls: 3.5, ttfb: 20.125, transfer: 0.75 };

function run(startedAt: number, passed: boolean, extra: Partial<StepResult> = {}): RunResult {
  return {
    monitor: 'orders',
    passed,
    startedAt,
    durationMs: 42.123456,
    attempts: passed ? 1 : 2,
    steps: [
      { name: 'token', status: 'passed', durationMs: 12.5, httpStatus: 200, phases, tlsCertExpiresAt: 1_893_456_000 },
      passed
        ? { name: 'items', status: 'passed', durationMs: 29.625, httpStatus: 200, phases }
        : { name: 'items', status: 'failed', durationMs: 29.625, httpStatus: 503, reason: 'status', message: 'expected status 200, got 503', phases, response: { status: 503, headers: { 'content-type': 'text/plain' }, body: `down ${startedAt}`, truncated: false }, ...extra },
      { name: 'one item', status: passed ? 'passed' : 'skipped', durationMs: passed ? 5 : 0, ...(passed ? { httpStatus: 200 } : {}) },
    ],
  };
}

describe('the status store', () => {
  it('gives back every field of a kept run as it came, newest first', () => {
    const store = new StatusStore();
    const runs = [run(1_000, true), run(2_000, false), run(3_000, true)];
    for (const r of runs) store.runFinished(monitor, structuredClone(r));
    assert.deepEqual(store.recent('orders'), [...runs].reverse());
    assert.deepEqual(store.last('orders'), runs[2]);
  });

  it('keeps at most `history` runs per monitor, the latest ones', () => {
    const store = new StatusStore(3);
    for (let i = 1; i <= 7; i++) store.runFinished(monitor, run(i * 1000, i % 2 === 0));
    assert.deepEqual(store.recent('orders').map((r) => r.startedAt), [7000, 6000, 5000]);
    assert.deepEqual(store.recent('orders', 2).map((r) => r.startedAt), [7000, 6000]);
  });

  it('keeps the answer only on the latest failed runs, and every failed step its message', () => {
    const store = new StatusStore();
    for (let i = 1; i <= EXCERPTS_KEPT + 3; i++) store.runFinished(monitor, run(i * 1000, false));
    const failed = store.recent('orders').map((r) => r.steps[1] as StepResult);
    assert.equal(failed.filter((step) => step.response).length, EXCERPTS_KEPT);
    assert.ok(failed.slice(0, EXCERPTS_KEPT).every((step) => step.response?.body.startsWith('down ')));
    assert.ok(failed.every((step) => step.message === 'expected status 200, got 503' && step.reason === 'status'));
  });

  it('keeps older runs readable when the monitor gains or loses steps', () => {
    const store = new StatusStore();
    const one: RunResult = { monitor: 'orders', passed: true, startedAt: 1_000, durationMs: 3, attempts: 1, steps: [{ name: 'ping', status: 'passed', durationMs: 3, httpStatus: 204 }] };
    store.runFinished(monitor, structuredClone(one));
    store.runFinished(monitor, run(2_000, true));
    store.runFinished(monitor, structuredClone(one));
    assert.deepEqual(store.recent('orders'), [one, run(2_000, true), one]);
  });

  it('gives back every run exactly while its history grows to its size and then wraps, messages and answers with their runs', () => {
    const size = 13;
    const store = new StatusStore(size);
    const one = (startedAt: number): RunResult => ({ monitor: 'orders', passed: true, startedAt, durationMs: 3, attempts: 1, steps: [{ name: 'ping', status: 'passed', durationMs: 3, httpStatus: 204 }] });
    const sent: RunResult[] = [];
    // Failures and a change of steps land on both sides of every growth of the ring (4, 8, 13 runs).
    for (let i = 1; i <= 3 * size; i++) {
      const result = i % 9 === 0 ? one(i * 1000) : run(i * 1000, i % 3 !== 0);
      sent.push(result);
      store.runFinished(monitor, structuredClone(result));
      const expected = sent.slice(-size).reverse().map((r, index) => {
        const failedBefore = sent.slice(-size).reverse().slice(0, index).filter((earlier) => !earlier.passed).length;
        if (r.passed || failedBefore < EXCERPTS_KEPT) return r;
        return { ...r, steps: r.steps.map(({ response: _response, ...step }) => step) };
      });
      assert.deepEqual(store.recent('orders'), expected, `after ${i} runs`);
    }
  });

  it('forgets monitors that are no longer loaded', () => {
    const store = new StatusStore();
    store.runFinished(monitor, run(1_000, true));
    store.runSkipped(monitor);
    store.retain(new Set(['other']));
    assert.deepEqual(store.recent('orders'), []);
    assert.equal(store.last('orders'), undefined);
    assert.equal(store.skippedRuns('orders'), 0);
  });
});
