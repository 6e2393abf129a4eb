// Where each monitor starts after its tick: a stable offset from its name, within its window.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_START_SPREAD_MS, START_BUCKET_MS, shortestIntervalMs, spreadWindowMs, startOffsetMs } from '../../src/schedule/start-offset.js';
import { startSpreadOption } from '../../src/cli/options.js';

const names = Array.from({ length: 10_000 }, (_, i) => `checkout-${i}`);

describe("a monitor's start offset", () => {
  it('is the same for the same name, every time it is computed, and differs between names', () => {
    const first = names.map((name) => startOffsetMs(name, 60_000));
    const again = names.map((name) => startOffsetMs(name, 60_000));
    assert.deepEqual(again, first);
    // Fixed values: a change of hash would move every monitor's start (and disagree across a cluster's versions).
    assert.deepEqual(['checkout', 'payments-api', 'bench-0', 'bench-1'].map((name) => startOffsetMs(name, DEFAULT_START_SPREAD_MS)), [500, 80, 600, 360]);
    assert.ok(new Set(first).size > 2_000, 'names spread over many distinct offsets');
  });

  it('is a whole number of buckets within the window, and the buckets fill evenly', () => {
    for (const windowMs of [1_000, 7_500, 60_000]) {
      const counts = new Map<number, number>();
      for (const name of names) {
        const offset = startOffsetMs(name, windowMs);
        assert.ok(offset >= 0 && offset < windowMs, `${name}: ${offset} ms within ${windowMs} ms`);
        assert.equal(offset % START_BUCKET_MS, 0);
        counts.set(offset, (counts.get(offset) ?? 0) + 1);
      }
      const buckets = Math.floor(windowMs / START_BUCKET_MS);
      // Checked where each bucket's share is large enough (at least 20 names) for evenness to show.
      if (buckets * 20 <= names.length) {
        assert.equal(counts.size, buckets, `every bucket of a ${windowMs} ms window is used`);
        assert.ok(Math.max(...counts.values()) <= (2 * names.length) / buckets, 'no bucket holds twice its share');
      }
    }
  });

  it('is 0 when the window is off or narrower than a bucket', () => {
    assert.deepEqual(names.slice(0, 50).map((name) => startOffsetMs(name, 0)), Array(50).fill(0));
    assert.deepEqual(names.slice(0, 50).map((name) => startOffsetMs(name, START_BUCKET_MS + 1)), Array(50).fill(0));
  });
});

describe("a schedule's spread window", () => {
  it("is the operator's window, capped by the shortest time between two ticks of the schedule", () => {
    assert.equal(spreadWindowMs('*/5 * * * *', DEFAULT_START_SPREAD_MS), 1_000, 'the default keeps a run within the second its cron names');
    assert.equal(spreadWindowMs('*/5 * * * *', 60_000), 60_000);
    assert.equal(spreadWindowMs('* * * * *', 120_000), 60_000, 'a one-minute schedule spreads over a minute at most');
    assert.equal(spreadWindowMs('*/10 * * * * *', 60_000), 10_000);
    assert.equal(spreadWindowMs('* * * * * *', 60_000), 1_000);
    assert.equal(spreadWindowMs('*/5 * * * *', 0), 0);
  });

  it('counts the gap across a wrap and the tightest neighbours, seconds first, then minutes, then hours', () => {
    assert.equal(shortestIntervalMs('0,59 * * * * *'), 1_000, ':59 then :00 of the next minute');
    assert.equal(shortestIntervalMs('0,20,25 * * * * *'), 5_000);
    assert.equal(shortestIntervalMs('0 */7 * * * *'), 4 * 60_000, ':56 then :00 of the next hour');
    assert.equal(shortestIntervalMs('30 9,17 * * *'), 8 * 3_600_000);
    assert.equal(shortestIntervalMs('0 9 * * 1'), 86_400_000);
  });
});

describe('STEPWATCH_START_SPREAD_SECONDS', () => {
  it('is read in seconds (fractions allowed), 0 turning the spread off; unset leaves the default', () => {
    assert.equal(startSpreadOption(undefined), undefined);
    assert.equal(startSpreadOption(''), undefined);
    assert.equal(startSpreadOption('0'), 0);
    assert.equal(startSpreadOption('2.5'), 2_500);
    assert.equal(startSpreadOption('3600'), 3_600_000);
  });

  for (const bad of ['soon', '-1', '3601', 'Infinity', '1s']) {
    it(`refuses '${bad}' in one line that names the variable`, () => {
      assert.throws(() => startSpreadOption(bad), { exitCode: 2, message: `STEPWATCH_START_SPREAD_SECONDS must be a number of seconds from 0 (no spread) to 3600, got '${bad}'` });
    });
  }
});
