import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { availability, incidents } from '../../src/status/history-insights.js';
import type { RunResult, StepResult } from '../../src/core/results.js';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-11-25T12:00:00Z');

/** Runs newest first, as the status store keeps them; `pattern` is oldest first, one run per `every` ms. */
function runs(pattern: string, every: number, end = NOW): RunResult[] {
  return [...pattern]
    .map((mark, i): RunResult => {
      const passed = mark === '+';
      return {
        monitor: 'm',
        passed,
        startedAt: end - (pattern.length - i) * every,
        durationMs: 10,
        attempts: 1,
        steps: [
          { name: 'Token', status: 'passed', durationMs: 4 },
          passed ? { name: 'Call', status: 'passed', durationMs: 6 } : { name: 'Call', status: 'failed', durationMs: 6, reason: 'status', message: `got 503 at ${i}`, httpStatus: 503 },
        ],
      };
    })
    .reverse();
}

describe('availability figures', () => {
  it('counts passed runs over the kept history', () => {
    const figures = availability(runs('++-+', HOUR), NOW);
    assert.deepEqual(figures.history, { ratio: 0.75, runs: 4, passed: 3 });
  });

  it('gives a 24 h figure only when the kept history reaches back 24 h, and counts only runs inside it', () => {
    assert.equal(availability(runs('+-+', HOUR), NOW)['24h'], null, 'three hours of history must not claim a 24 h figure');
    // 30 hourly runs: the oldest six fall outside the last 24 h, and they are the failed ones.
    const figures = availability(runs('------' + '+'.repeat(24), HOUR), NOW);
    assert.deepEqual(figures['24h'], { ratio: 1, runs: 24, passed: 24 });
    assert.deepEqual(figures.history, { ratio: 0.8, runs: 30, passed: 24 });
    assert.equal(figures['7d'], null);
  });

  it('has no ratio before the first run', () => {
    assert.deepEqual(availability([], NOW), { history: { ratio: null, runs: 0, passed: 0 }, '24h': null, '7d': null });
  });
});

describe('incidents', () => {
  it('runs from the first failed run to the next pass, naming what broke first', () => {
    const found = incidents(runs('+--+++-', 60_000), NOW);
    assert.equal(found.length, 2);
    const [ongoing, resolved] = found;
    assert.equal(ongoing?.resolvedAt, null);
    assert.equal(ongoing?.failedRuns, 1);
    assert.equal(ongoing?.durationMs, 60_000, 'an ongoing incident lasts until now');
    assert.equal(resolved?.startedAt, new Date(NOW - 6 * 60_000).toISOString());
    assert.equal(resolved?.resolvedAt, new Date(NOW - 4 * 60_000).toISOString());
    assert.equal(resolved?.durationMs, 2 * 60_000);
    assert.equal(resolved?.failedRuns, 2);
    assert.deepEqual([resolved?.step, resolved?.reason, resolved?.message], ['Call', 'status', 'got 503 at 1']);
  });

  it('keeps the latest answer kept for the incident', () => {
    const kept = runs('--+', 60_000);
    const excerpt = (body: string) => ({ status: 503, headers: {}, body, truncated: false });
    (kept[2]?.steps[1] as StepResult).response = excerpt('first');
    (kept[1]?.steps[1] as StepResult).response = excerpt('latest');
    assert.equal(incidents(kept, NOW)[0]?.excerpt?.body, 'latest');
  });

  it('finds none when every run passed', () => {
    assert.deepEqual(incidents(runs('+++', 60_000), NOW), []);
  });
});
