import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Monitor } from '../../src/core/monitor.js';
import type { RunResult } from '../../src/core/results.js';
import { RunLimiter } from '../../src/schedule/run-limiter.js';
import { Scheduler } from '../../src/schedule/scheduler.js';

const monitor = (name: string) => ({ name, enabled: false, schedule: '* * * * *', timezone: 'UTC', steps: [] }) as unknown as Monitor;
const result = (name: string): RunResult => ({ monitor: name, passed: true, startedAt: 0, durationMs: 0, attempts: 1, steps: [] });

describe('the limit on runs in flight', () => {
  it('lets `max` runs through and hands each freed slot to the next waiting run, in order', async () => {
    const limiter = new RunLimiter(2);
    const order: string[] = [];
    const first = await limiter.acquire();
    await limiter.acquire();
    const third = limiter.acquire().then((release) => (order.push('third'), release));
    const fourth = limiter.acquire().then((release) => (order.push('fourth'), release));
    await Promise.resolve();
    assert.deepEqual(order, []);
    first();
    first(); // a second call of the same release frees nothing more
    await third;
    assert.deepEqual(order, ['third']);
    assert.equal(limiter.inFlight, 2);
    (await third)();
    await fourth;
    assert.deepEqual(order, ['third', 'fourth']);
  });

  it('gives a slot back when a run ends with nobody waiting, so the next run starts at once', async () => {
    const limiter = new RunLimiter(1);
    (await limiter.acquire())();
    assert.equal(limiter.inFlight, 0);
    const release = await limiter.acquire();
    assert.equal(limiter.inFlight, 1);
    release();
    assert.equal(limiter.inFlight, 0);
  });

  it('refuses a limit below one', () => {
    assert.throws(() => new RunLimiter(0), /at least 1/);
  });

  it('makes the scheduler start a run only when a slot is free, and reports runs in flight', async () => {
    const finish = new Map<string, (r: RunResult) => void>();
    const started: string[] = [];
    const events: string[] = [];
    const scheduler = new Scheduler({
      run: (m) => new Promise<RunResult>((resolve) => (started.push(m.name), finish.set(m.name, resolve))),
      limiter: new RunLimiter(1),
      schedulerObserver: { runStarting: (m) => events.push(`start ${m.name}`), runEnded: (m) => events.push(`end ${m.name}`) },
      onInternalError: (_m, error) => assert.fail(String(error)),
    });
    scheduler.sync([monitor('a'), monitor('b')]);
    const a = scheduler.trigger('a');
    const b = scheduler.trigger('b');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(started, ['a']);
    assert.ok(scheduler.isRunning('b'), 'a run waiting for its slot counts as in flight');
    finish.get('a')?.(result('a'));
    await a;
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(started, ['a', 'b']);
    finish.get('b')?.(result('b'));
    await b;
    assert.deepEqual(events, ['start a', 'end a', 'start b', 'end b']);
    await scheduler.stop(0);
  });
});
