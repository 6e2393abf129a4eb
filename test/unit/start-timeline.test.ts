// The scheduler's one timer: starts handed over by instant, grouped by the tick they belong to.
import { describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { StartTimeline } from '../../src/schedule/start-timeline.js';
import type { DueStarts } from '../../src/schedule/start-timeline.js';
import { signal, within } from '../support/wait.js';

describe('the start timeline', () => {
  it('hands over what is due at each instant, in order, grouped by tick, once', async () => {
    const handed: Array<[number, Array<[number, string[]]>]> = [];
    const done = signal();
    const timeline = new StartTimeline<string>((at, due: DueStarts<string>) => {
      handed.push([at, [...due]]);
      if (handed.length === 3) done.resolve();
    });
    const now = Date.now();
    timeline.add(now + 60, now, 'c');
    timeline.add(now + 20, now, 'a');
    timeline.add(now + 20, now - 1_000, 'old');
    timeline.add(now + 20, now, 'b');
    timeline.add(now - 5, now - 1_000, 'late');
    timeline.flush();
    await within(done.promise, 'three instants handed over', 10_000);
    assert.deepEqual(handed, [
      [now - 5, [[now - 1_000, ['late']]]],
      [now + 20, [[now, ['a', 'b']], [now - 1_000, ['old']]]],
      [now + 60, [[now, ['c']]]],
    ]);
    assert.equal(timeline.size, 0);
  });

  it('waits for an instant further away than a timer can (a yearly schedule) with one timer, instead of waking every millisecond', async () => {
    const handed: number[] = [];
    const timers = mock.method(globalThis, 'setTimeout');
    const timeline = new StartTimeline<string>((at) => handed.push(at));
    try {
      timeline.add(Date.now() + 40 * 86_400_000, 0, 'yearly');
      timeline.flush();
      await sleep(200);
      assert.deepEqual(handed, []);
      assert.equal(timers.mock.callCount(), 1, 'armed once');
      assert.equal(timeline.size, 1);
    } finally {
      timers.mock.restore();
      timeline.clear();
    }
    assert.equal(timeline.size, 0);
  });
});
