// The detector the cluster tests rely on: it must see a tick run twice, and must not mistake a run
// that a standby starts a grace period late, or a lost tick, for one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { longestGap, lostTicks, matchTicks } from './support/tick-ledger.js';
import type { Call } from './support/tick-ledger.js';

const T = 1_700_000_000;
const at = (second: number, ms = 20) => (T + second) * 1000 + ms;
const call = (second: number, instance = 'a', ms?: number): Call => ({ monitor: 'm', instance, at: at(second, ms) });
const seconds = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('matching calls to ticks', () => {
  it('one call a second, each a little late: every tick ran once, none lost', () => {
    const report = matchTicks(seconds(0, 30).map((n) => call(n, 'a', 20 + (n % 7) * 130)));
    assert.deepEqual(report.extra, []);
    assert.deepEqual(lostTicks(report, 'm', at(0, 0), at(30, 0)), []);
  });

  it('three instances running every tick (no cluster): two extra runs a second', () => {
    const calls = seconds(0, 30).flatMap((n) => [call(n, 'a', 10), call(n, 'b', 15), call(n, 'c', 30)]);
    const report = matchTicks(calls);
    // The matching may place up to 8 s of them on the seconds before the first call.
    assert.ok(report.extra.length >= 2 * 30 - 8, String(report.extra.length));
  });

  it('one tick run twice in a steady stream is seen, even 5 s later than its twin', () => {
    const calls = [...seconds(0, 30).map((n) => call(n)), call(12, 'b', 30), call(17, 'c', 600)];
    assert.deepEqual(matchTicks(calls).extra.map((extra) => extra.instance).sort(), ['b', 'c']);
  });

  it('a handover: 10 ticks lost, then a standby runs 4 ticks 5 s late while the new owner runs on time; nothing extra', () => {
    const owner = seconds(0, 10).map((n) => call(n, 'a'));
    const late = seconds(20, 24).map((n) => call(n + 5, 'b', 40));
    const onTime = seconds(24, 40).map((n) => call(n, 'c'));
    const report = matchTicks([...owner, ...late, ...onTime]);
    assert.deepEqual(report.extra, []);
    const lost = lostTicks(report, 'm', at(0, 0), at(40, 0)).map((tick) => tick - T);
    assert.equal(lost.length, 10);
    assert.ok(lost.every((tick) => tick >= 10 && tick < 24), String(lost));
    assert.ok(longestGap(lost) >= 8, String(lost));
  });

  it('the longest stretch of lost ticks', () => {
    assert.equal(longestGap([]), 0);
    assert.equal(longestGap([3, 5, 6, 7, 9]), 3);
  });

  it('a paused instance that wakes up and runs an old tick again is an extra run', () => {
    const calls = [...seconds(0, 60).map((n) => call(n, 'a')), call(45, 'paused', 500)];
    assert.deepEqual(matchTicks(calls).extra.map((extra) => extra.instance), ['paused']);
  });
});
